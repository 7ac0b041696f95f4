package io.github.keycloakreplica.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The name a realm file must have in {@code data/import}: Keycloak 26.7's directory import refuses to start
 * ("File name / realm name mismatch ... File name should be acme-realm.json") unless a file named
 * {@code <x>-realm.json} holds realm {@code <x>}. The repository keeps a primary's and a replica's file of the
 * same realm side by side under names of their own, so the copy takes the name of the realm it holds.
 */
final class RealmImportFile {

    private static final ObjectMapper JSON = new ObjectMapper();

    private RealmImportFile() {
    }

    /** {@code <realm>-realm.json} for the realm the file holds. */
    static String nameFor(Path file) {
        JsonNode realm;
        try {
            realm = JSON.readTree(file.toFile()).path("realm");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the realm file " + file, e);
        }
        if (!realm.isTextual() || realm.asText().isBlank()) {
            throw new StackException("The realm file " + file + " names no realm (no \"realm\" field)");
        }
        return realm.asText() + "-realm.json";
    }
}
