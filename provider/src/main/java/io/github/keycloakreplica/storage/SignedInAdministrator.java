package io.github.keycloakreplica.storage;

import org.jboss.logging.Logger;
import org.keycloak.common.util.Encode;
import org.keycloak.http.HttpRequest;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.representations.AccessToken;
import org.keycloak.services.managers.AppAuthManager;
import org.keycloak.services.managers.AuthenticationManager;

import java.util.Optional;

/**
 * Finds who used Keycloak's "Sync all users". Keycloak runs the factory's sync in a session of its own,
 * which no longer holds the administrator its admin API authenticated for the request; the request's
 * bearer token still names them. The token is verified again here the way Keycloak's admin API verifies
 * it (the issuing realm's keys, expiry, an active session), so that the record names only someone who
 * really signed in, whatever else might call a component's sync during a request.
 */
final class SignedInAdministrator {

    private static final Logger log = Logger.getLogger(SignedInAdministrator.class);

    private SignedInAdministrator() {
    }

    /** @param session a session of its own: its context's realm is set to the token's */
    static SyncRequester requester(KeycloakSession session) {
        HttpRequest request;
        try {
            request = session.getContext().getHttpRequest();
        } catch (RuntimeException e) {
            // Off a request (Keycloak's timer thread) Quarkus has no request to give and says so by throwing.
            request = null;
        }
        if (request == null) {
            return SyncRequester.periodic();
        }
        try {
            return verified(session, request).orElseGet(SyncRequester::unknownAdministrator);
        } catch (RuntimeException e) {
            // Recording who asked must never keep the sync from starting.
            log.debugf(e, "replica: the administrator of a \"Sync all users\" request could not be verified");
            return SyncRequester.unknownAdministrator();
        }
    }

    private static Optional<SyncRequester> verified(KeycloakSession session, HttpRequest request) {
        String token = AppAuthManager.extractAuthorizationHeaderToken(request.getHttpHeaders());
        if (token == null) {
            return Optional.empty();
        }
        AccessToken unverified;
        try {
            // Read unverified only to learn which realm's keys verify it, as Keycloak's admin API does.
            unverified = new JWSInput(token).readJsonContent(AccessToken.class);
        } catch (JWSInputException e) {
            return Optional.empty();
        }
        String issuer = unverified.getIssuer();
        if (issuer == null) {
            return Optional.empty();
        }
        RealmModel realm = session.realms().getRealmByName(Encode.decodePath(issuer.substring(issuer.lastIndexOf('/') + 1)));
        if (realm == null) {
            return Optional.empty();
        }
        session.getContext().setRealm(realm);
        AuthenticationManager.AuthResult auth = new AppAuthManager.BearerTokenAuthenticator(session).setRealm(realm).setTokenString(token)
                .authenticate();
        if (auth == null || auth.getUser() == null) {
            return Optional.empty();
        }
        return Optional.of(SyncRequester.administrator(auth.getUser().getUsername(), auth.getUser().getId(), realm.getName()));
    }
}
