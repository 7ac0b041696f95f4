package io.github.keycloakreplica.stream;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code replica.credentials.snapshot}: every credential id of a subject with its current version: the
 * credentials it has, in Keycloak's stored format, and the ones revoked (by version).
 */
public record CredentialsSnapshot(Envelope envelope, List<ReplicatedCredential> credentials, Map<String, Long> revoked)
        implements StreamEvent {

    public CredentialsSnapshot {
        Objects.requireNonNull(envelope, "envelope");
        credentials = List.copyOf(credentials);
        revoked = Collections.unmodifiableMap(new TreeMap<>(revoked));
    }
}
