package io.github.keycloakreplica.protocol;

/** What became of one event at the replica; counted, and kept in the subject's event log. */
public enum Outcome {
    /** Changed the replica's state. */
    APPLIED,
    /** Older than or equal to what the replica holds: discarded. */
    STALE,
    /** Cannot apply yet (its subject has not arrived); kept durably and applied when it can be. */
    PARKED,
    /** Can never apply as it is; recorded as a dead letter with the reason. */
    REJECTED
}
