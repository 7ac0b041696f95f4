package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.stream.ReplicatedCredential;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.jpa.entities.CredentialEntity;

import java.util.Objects;

/**
 * A credential as Keycloak's table holds it, to tell whether the ledger's differs: read from the batch's
 * prefetched rows or from Keycloak's credential store, which give it in different shapes.
 */
record StoredCredential(String type, String credentialData, String secretData, Long createdDate, String userLabel) {

    static StoredCredential of(CredentialModel c) {
        return new StoredCredential(c.getType(), c.getCredentialData(), c.getSecretData(), c.getCreatedDate(), c.getUserLabel());
    }

    static StoredCredential of(CredentialEntity c) {
        return new StoredCredential(c.getType(), c.getCredentialData(), c.getSecretData(), c.getCreatedDate(), c.getUserLabel());
    }

    boolean matches(ReplicatedCredential c) {
        // A credential the upstream sent without a creation date got the time it was first written here.
        return type.equals(c.type()) && Objects.equals(credentialData, c.credentialData()) && Objects.equals(secretData, c.secretData())
                && Objects.equals(userLabel, c.userLabel()) && (c.createdDate() == null || c.createdDate().equals(createdDate));
    }
}
