package io.github.keycloakreplica.protocol;

/** What became of one event at the replica: counted, and kept in the subject's event log. */
public enum Outcome {
    /** At least one of its facts changed the replica's state. */
    APPLIED,
    /** Every fact was at or below the stored version: discarded. */
    STALE,
    /** An event seen before (same event id): discarded without looking at versions. */
    DUPLICATE,
    /** Nothing applied yet: facts ahead of their turn wait in the gap buffer. */
    BUFFERED,
    /** The subject was fast-forwarded to its snapshot. */
    REPAIRED,
    /** Can never apply as it is: recorded as a dead letter with the reason. */
    REJECTED
}
