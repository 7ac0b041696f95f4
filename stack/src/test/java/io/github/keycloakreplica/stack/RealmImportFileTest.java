package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RealmImportFileTest {

    @TempDir
    Path dir;

    @Test
    void aFileIsImportedUnderTheNameOfTheRealmItHolds() throws IOException {
        Path primary = Files.writeString(dir.resolve("acme-primary-realm.json"), "{\"realm\":\"acme\",\"enabled\":true}");
        assertThat(RealmImportFile.nameFor(primary)).isEqualTo("acme-realm.json");
    }

    @Test
    void theShippedRealmFilesKeepOrTakeTheirRealmsName() {
        StackArtifacts artifacts = StackArtifacts.load();
        assertThat(RealmImportFile.nameFor(artifacts.realmFile("acme-realm.json"))).isEqualTo("acme-realm.json");
        assertThat(RealmImportFile.nameFor(artifacts.realmFile("acme-primary-realm.json"))).isEqualTo("acme-realm.json");
    }

    @Test
    void aFileWithoutARealmNameIsRefusedByName() throws IOException {
        Path nameless = Files.writeString(dir.resolve("x-realm.json"), "{\"enabled\":true}");
        assertThatThrownBy(() -> RealmImportFile.nameFor(nameless)).isInstanceOf(StackException.class)
                .hasMessageContaining("names no realm").hasMessageContaining(nameless.toString());
    }
}
