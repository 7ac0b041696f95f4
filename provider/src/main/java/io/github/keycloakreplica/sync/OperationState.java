package io.github.keycloakreplica.sync;

/** Where a sync operation stands. */
public enum OperationState {
    /** Waiting for a node to claim it (first, or again after a failure once its backoff has passed). */
    QUEUED,
    /** Claimed by a node, which renews its lease while it works. */
    RUNNING,
    SUCCEEDED,
    /** Failed on its last allowed attempt. */
    FAILED;

    public boolean finished() {
        return this == SUCCEEDED || this == FAILED;
    }
}
