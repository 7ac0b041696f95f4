package io.github.keycloakreplica.stream;

/** One decoded, schema-valid event of the identity or the credential stream. */
public sealed interface StreamEvent permits IdentityUpsert, IdentityDeletion, CredentialUpsert, CredentialRevocation,
        IdentitySnapshot, CredentialsSnapshot {

    Envelope envelope();

    default String subject() {
        return envelope().subject();
    }
}
