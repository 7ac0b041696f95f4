package io.github.keycloakreplica.credential;

import org.keycloak.credential.CredentialModel;
import org.keycloak.models.UserModel;

import java.util.function.Function;

/**
 * The credential changes a replicated person's credential manager carries to the authority once the
 * {@link CredentialGate} let them through; each returns only after the authority confirmed it and its
 * events were applied here, and throws {@link CredentialChangeRefusedException} otherwise.
 */
public interface UpstreamWrites {

    /**
     * @param stored reads a credential of this user by its Keycloak id, once applied
     * @return the new credential as stored here
     */
    public CredentialModel create(UserModel user, CredentialModel draft, Function<String, CredentialModel> stored);

    public void remove(UserModel user, String credentialId);

    public void relabel(UserModel user, String credentialId, String label);
}
