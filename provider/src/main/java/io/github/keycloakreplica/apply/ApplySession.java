package io.github.keycloakreplica.apply;

import org.keycloak.models.KeycloakSession;

/**
 * Marks a Keycloak session as the apply engine's own. Replicated users refuse every change, except
 * those the engine makes from the streams.
 */
public final class ApplySession {

    private static final String ATTRIBUTE = ApplySession.class.getName();

    private ApplySession() {
    }

    static void mark(KeycloakSession session) {
        session.setAttribute(ATTRIBUTE, Boolean.TRUE);
    }

    static void unmark(KeycloakSession session) {
        session.removeAttribute(ATTRIBUTE);
    }

    public static boolean isApplying(KeycloakSession session) {
        return Boolean.TRUE.equals(session.getAttribute(ATTRIBUTE));
    }
}
