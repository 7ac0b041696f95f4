package io.github.keycloakreplica.login;

import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;

/**
 * Global: the record of sign-ins served while severed is part of the replica's contract, not something
 * an administrator must remember to switch on in each realm's event settings.
 */
public final class SeveredSignInListenerFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "replica-severed-sign-ins";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new SeveredSignInListener(session);
    }

    @Override
    public boolean isGlobal() {
        return true;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
