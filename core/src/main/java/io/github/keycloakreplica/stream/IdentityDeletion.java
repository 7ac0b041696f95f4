package io.github.keycloakreplica.stream;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code replica.identity.deleted}: the subject is gone upstream. The deletion is a versioned change of
 * every attribute the authority held for the subject, so the versions it carries become the
 * tombstone: an upsert that is not newer than them can never bring the subject back.
 */
public record IdentityDeletion(Envelope envelope, Map<String, Long> versions) implements StreamEvent {

    public IdentityDeletion {
        Objects.requireNonNull(envelope, "envelope");
        versions = Collections.unmodifiableMap(new TreeMap<>(versions));
    }
}
