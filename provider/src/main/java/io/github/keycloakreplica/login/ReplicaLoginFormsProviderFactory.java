package io.github.keycloakreplica.login;

import io.github.keycloakreplica.credential.GatedRequiredActionFactory;

import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.forms.login.freemarker.FreeMarkerLoginFormsProviderFactory;
import org.keycloak.models.KeycloakSession;

/**
 * Registered under the id of Keycloak's own login forms ({@code freemarker}) with a higher order, which
 * makes Keycloak use it in their place; see {@link ReplicaLoginFormsProvider} for the one thing it adds.
 */
public final class ReplicaLoginFormsProviderFactory extends FreeMarkerLoginFormsProviderFactory {

    @Override
    public LoginFormsProvider create(KeycloakSession session) {
        return new ReplicaLoginFormsProvider(session);
    }

    @Override
    public int order() {
        return GatedRequiredActionFactory.ORDER;
    }
}
