package io.github.keycloakreplica.stream;

import java.util.Objects;

/**
 * A credential in Keycloak's own stored format, so that Keycloak's password hashers and OTP/WebAuthn
 * validators check it unchanged. {@code secretData} holds hashes and seeds: it never appears in
 * {@link #toString()}, logs, errors or admin responses.
 *
 * @param createdDate epoch milliseconds at the authority, or null when it did not say
 * @param userLabel   the label a person gave the credential, or null
 */
public record ReplicatedCredential(String id, String type, long version, String credentialData, String secretData,
                                   Long createdDate, String userLabel) {

    public ReplicatedCredential {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(credentialData, "credentialData");
        Objects.requireNonNull(secretData, "secretData");
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive, was " + version);
        }
    }

    @Override
    public String toString() {
        return "ReplicatedCredential[id=" + id + ", type=" + type + ", version=" + version + ", secretData=<redacted>]";
    }
}
