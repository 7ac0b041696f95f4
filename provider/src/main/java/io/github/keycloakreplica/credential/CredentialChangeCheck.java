package io.github.keycloakreplica.credential;

import org.keycloak.models.UserModel;

/** Asked before a credential change of a replicated user; throws to refuse it. See {@link CredentialGate}. */
@FunctionalInterface
interface CredentialChangeCheck {

    /**
     * @param operation what is tried: "update", "create", "remove", "move", "relabel", "disable"
     * @param credentialType the credential type when known, else null
     * @throws CredentialChangeRefusedException when the change must not happen
     */
    void enforce(UserModel user, String operation, String credentialType);
}
