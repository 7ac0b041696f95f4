package io.github.keycloakreplica.stream;

import java.util.Objects;

/** {@code replica.credential.revoked}: one credential of a subject was removed upstream, at this version. */
public record CredentialRevocation(Envelope envelope, String credentialId, String credentialType, long version)
        implements StreamEvent {

    public CredentialRevocation {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(credentialId, "credentialId");
        Objects.requireNonNull(credentialType, "credentialType");
    }
}
