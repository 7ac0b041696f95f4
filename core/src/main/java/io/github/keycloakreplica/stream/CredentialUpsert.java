package io.github.keycloakreplica.stream;

import java.util.Objects;

/** {@code replica.credential.upserted}: one credential of a subject, created or changed upstream. */
public record CredentialUpsert(Envelope envelope, ReplicatedCredential credential) implements StreamEvent {

    public CredentialUpsert {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(credential, "credential");
    }
}
