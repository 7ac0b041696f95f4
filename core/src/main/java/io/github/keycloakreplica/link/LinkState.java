package io.github.keycloakreplica.link;

/**
 * What a replica component knows about its link to the upstream. Only {@link #CONNECTED} lets a
 * credential change through; the other two fail closed.
 */
public enum LinkState {
    /** Heartbeats are fresh, the broker answers, and the replica has caught up: changes can be confirmed upstream. */
    CONNECTED,
    /** No fresh heartbeat within the severance threshold, or the broker is unreachable: signing in works from last-known state. */
    SEVERED,
    /** Fresh again, but not yet caught up or not yet healthy for a whole stabilization window. */
    RECOVERING;

    public boolean allowsCredentialWrites() {
        return this == CONNECTED;
    }
}
