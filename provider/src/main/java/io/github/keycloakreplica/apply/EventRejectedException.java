package io.github.keycloakreplica.apply;

/**
 * An event that is valid against the schema but can never apply at this replica as it is (a username
 * held by a local user, a hash algorithm this Keycloak lacks). Thrown before anything is written.
 */
public final class EventRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EventRejectedException(String message) {
        super(message);
    }
}
