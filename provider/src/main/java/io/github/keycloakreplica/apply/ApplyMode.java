package io.github.keycloakreplica.apply;

/**
 * What kind of transaction an {@link ApplyBatch} is, fixed when it is made: it decides which users are
 * read up front, whether the ledgers count as repaired, and how much a bulk load says per subject.
 */
enum ApplyMode {

    /**
     * Facts arrive event by event: the delta topics, the events the write path confirmed, and the
     * maintenance between polls (usernames handed over, entitlements granted, orphans, dead letters).
     */
    EVENTS,

    /** Subjects fast-forwarded to their snapshot records, each user made equal its ledger as a whole. */
    REPAIR,

    /**
     * A repair for bulk loads (a full sync): the realm's unique key on usernames decides instead of a
     * lookup per user, and a subject's line in the server log is written at debug level, as the operation
     * reports the counts.
     */
    BULK_REPAIR;

    /** Whether the subjects are repaired from their snapshots, rather than given events. */
    boolean repairs() {
        return this != EVENTS;
    }

    /** Whether this is a bulk load. */
    boolean bulk() {
        return this == BULK_REPAIR;
    }
}
