package io.github.keycloakreplica.storage;

/**
 * Who asked for a full sync through Keycloak's own entry points, as the operation records it: the
 * administrator who used "Sync all users", named as the replica's admin REST API names its operators
 * (by username; their id and realm in the reason, since usernames repeat across realms), or Keycloak's
 * periodic full sync. When a request names no administrator that can be verified, the record says so
 * rather than naming the button as if it had asked.
 *
 * @param requestedBy the operation's requestedBy (at most 255 characters, as a Keycloak username)
 * @param reason      the operation's reason, null when there is nothing to say beyond requestedBy
 */
record SyncRequester(String requestedBy, String reason) {

    static final String SYNC_ALL_USERS = "Keycloak \"Sync all users\"";
    static final String PERIODIC = "Keycloak periodic full sync";

    /** The administrator the request's verified bearer token names. */
    static SyncRequester administrator(String username, String userId, String realm) {
        return new SyncRequester(username, SYNC_ALL_USERS + ", signed in as user " + userId + " of realm " + realm);
    }

    /** A request whose administrator could not be verified (no token, or one that no longer verifies). */
    static SyncRequester unknownAdministrator() {
        return new SyncRequester(SYNC_ALL_USERS + " (administrator unknown)", null);
    }

    /** Keycloak's timer, with the component's periodic full sync. */
    static SyncRequester periodic() {
        return new SyncRequester(PERIODIC, null);
    }
}
