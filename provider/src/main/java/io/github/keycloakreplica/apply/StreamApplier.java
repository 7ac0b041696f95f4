package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.store.DeadLetterEntry;
import io.github.keycloakreplica.store.DeadLetterRows;
import io.github.keycloakreplica.store.GapRows;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.PositionRows;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.SecretRedaction;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import org.keycloak.models.KeycloakSession;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The apply engine for one replica component: takes a batch of records from the delta topics and, in
 * the caller's one database transaction, applies their facts to the subjects' ledgers (the stream
 * contract's version table), carries the resulting changes into Keycloak's users, logs each event
 * with its outcome, dead-letters what cannot apply and stores the consumer position the batch reached.
 * The same engine repairs subjects from their snapshots (bootstrap, gap timeout, full and targeted
 * sync), which also puts right a Keycloak user that drifted from its ledger. Each call is one
 * {@link ApplyBatch}, of the {@link ApplyMode} the call stands for. The maintenance that is no stream's
 * ({@link OrphanReconciliation}, {@link EntitlementResolution}) has classes of its own.
 */
public final class StreamApplier {

    private final StreamCodec codec;
    private final ApplyTarget target;

    public StreamApplier(ApplyTarget target, StreamCodec codec) {
        this.codec = codec;
        this.target = target;
    }

    /**
     * What one batch did, for counters and logs: per outcome, and what became of Keycloak users (created,
     * changed, deleted), counted once per subject.
     */
    public record BatchResult(Map<Outcome, Integer> outcomes, List<PartitionPosition> positions, int added, int updated, int removed) {

        public static final BatchResult NOTHING = new BatchResult(Map.of(), List.of(), 0, 0, 0);

        public int count(Outcome outcome) {
            return outcomes.getOrDefault(outcome, 0);
        }

        /** Both results together, for work done in several transactions. */
        public BatchResult plus(BatchResult other) {
            Map<Outcome, Integer> sum = new EnumMap<>(Outcome.class);
            sum.putAll(outcomes);
            other.outcomes.forEach((outcome, n) -> sum.merge(outcome, n, Integer::sum));
            List<PartitionPosition> both = new ArrayList<>(positions);
            both.addAll(other.positions);
            return new BatchResult(sum, both, added + other.added, updated + other.updated, removed + other.removed);
        }
    }

    private ApplyBatch batch(KeycloakSession session, ApplyMode mode) {
        return new ApplyBatch(session, target, mode);
    }

    /** Applies the records in order. Runs inside the caller's transaction; throws if the batch must roll back. */
    public BatchResult apply(KeycloakSession session, List<InboundRecord> records) {
        return KeycloakBatchMode.run(session, () -> applyRecords(session, records));
    }

    private BatchResult applyRecords(KeycloakSession session, List<InboundRecord> records) {
        ApplyBatch batch = batch(session, ApplyMode.EVENTS);
        Map<InboundRecord, StreamEvent> decoded = new LinkedHashMap<>();
        for (InboundRecord record : records) {
            StreamEvent event;
            try {
                // The key as the consumer read it: a NUL or a newline in it survives that reading, so it is refused here.
                StreamCodec.checkRecordKey(record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8));
                event = codec.decode(record.value());
            } catch (InvalidEventException e) {
                batch.reject(record, null, null, "Record " + e.getMessage());
                continue;
            } catch (RuntimeException e) {
                // The codec's checks should have named the problem; whatever they missed is still the record's.
                batch.reject(record, null, null, "Record cannot be decoded: " + FailureText.of(e));
                continue;
            }
            String misplaced = misplacement(record, event);
            if (misplaced != null) {
                batch.reject(record, event, null, "Record " + misplaced);
            } else {
                decoded.put(record, event);
            }
        }
        batch.load(decoded.values().stream().map(StreamEvent::subject).collect(Collectors.toSet()),
                decoded.values().stream().map(e -> e.envelope().id()).toList());
        batch.prefetchUsernames(decoded.values());
        decoded.forEach((record, event) -> batch.apply(record, record.toString(), event));
        batch.finish();

        Map<String, PartitionPosition> positions = new LinkedHashMap<>();
        records.stream().map(r -> PartitionPosition.after(r.topic(), r.partition(), r.offset())).forEach(p -> positions.put(p.key(), p));
        PositionRows.of(session).save(target.componentId(), target.realmId(), positions.values(), batch.now);
        return batch.result(List.copyOf(positions.values()));
    }

    /**
     * Applies the credential events the authority's write path answered with, in the caller's transaction
     * (the request that asked for the change), by the same rules as the stream. The stream delivers the
     * same events later; their ids are then known and they count as duplicates. No consumer position moves.
     *
     * @param origin where they came from, for the subjects' event logs
     * @throws EventRejectedException when one cannot apply here; nothing of the batch may then be committed
     */
    public BatchResult applyConfirmed(KeycloakSession session, List<StreamEvent> events, String origin) {
        boolean wasApplying = ApplySession.isApplying(session);
        try {
            return KeycloakBatchMode.run(session, () -> {
                ApplyBatch batch = batch(session, ApplyMode.EVENTS);
                batch.load(events.stream().map(StreamEvent::subject).collect(Collectors.toSet()),
                        events.stream().map(e -> e.envelope().id()).toList());
                events.forEach(event -> batch.apply(null, origin, event));
                batch.finish();
                return batch.result(List.of());
            });
        } finally {
            // The request goes on after this: its own changes of the user must meet the read-only view again.
            if (!wasApplying) {
                ApplySession.unmark(session);
            }
        }
    }

    /** Stores consumer positions on their own (after a bootstrap, before any delta was read). */
    public void savePositions(KeycloakSession session, List<PartitionPosition> positions) {
        PositionRows.of(session).save(target.componentId(), target.realmId(), positions, System.currentTimeMillis());
    }

    /** Dead-letters one delta record on its own, for when applying it failed in a way no check foresaw. */
    public void deadLetter(KeycloakSession session, InboundRecord record, String reason) {
        deadLetter(session, record, reason, true);
    }

    /** Dead-letters an invalid snapshot record; snapshot topics have no stored position. */
    public void deadLetterSnapshot(KeycloakSession session, InboundRecord record, String reason) {
        deadLetter(session, record, reason, false);
    }

    private void deadLetter(KeycloakSession session, InboundRecord record, String reason, boolean advance) {
        ApplyBatch batch = batch(session, ApplyMode.EVENTS);
        StreamEvent event = null;
        try {
            event = codec.decode(record.value());
        } catch (InvalidEventException | RuntimeException e) {
            // The reason given is the one worth keeping.
        }
        batch.reject(record, event, null, reason);
        if (advance) {
            PositionRows.of(session).save(target.componentId(), target.realmId(),
                    List.of(new PartitionPosition(record.topic(), record.partition(), record.offset() + 1)), batch.now);
        }
    }

    /**
     * The last resort when even the dead letter of a record could not be written: keeps where the record
     * was, its size, its hash and why, nothing of its content, and moves past it. Nothing read from the
     * record reaches the database here.
     */
    public void deadLetterBare(KeycloakSession session, InboundRecord record, String reason) {
        long now = System.currentTimeMillis();
        String withheld = record.value() == null ? null : SecretRedaction.withheld(record.value(), "its dead letter could not be stored").text();
        DeadLetterRows.of(session).deadLetter(target.componentId(), target.realmId(), record.origin(), DeadLetterEntry.bare(reason, withheld), now);
        PositionRows.of(session).save(target.componentId(), target.realmId(),
                List.of(new PartitionPosition(record.topic(), record.partition(), record.offset() + 1)), now);
    }

    /**
     * Dead-letters the snapshot records of a subject whose repair failed on its own, for a reason that is
     * the data's; the subject keeps its ledger and is tried again no sooner than after another gap timeout.
     * The records are kept as this replica decoded them, redacted, under the snapshot topics' names
     * (partition and offset -1: the subject's snapshot as a whole, found again by its key and event ids).
     */
    public void deadLetterSubject(KeycloakSession session, String subject, List<StreamEvent> snapshots, String reason) {
        ApplyBatch batch = batch(session, ApplyMode.EVENTS);
        for (StreamEvent event : snapshots) {
            String topic = event instanceof CredentialsSnapshot ? target.topics().credentialsSnapshot() : target.topics().identitySnapshot();
            batch.reject(new InboundRecord(topic, -1, -1, subject, codec.encode(event)), event, null, reason);
        }
        GapRows.of(session).markRepaired(target.componentId(), subject, batch.now);
    }

    /**
     * Fast-forwards subjects to their snapshot records (read from the compacted topics, newest last),
     * in the caller's transaction, and makes each one's Keycloak user equal its ledger as a whole: for a
     * replica's bootstrap, gaps past their timeout, and targeted and full syncs, which so also mend a
     * user that drifted from its ledger.
     *
     * @param reason why: written to each repaired subject's event log
     */
    public BatchResult repair(KeycloakSession session, Map<String, List<StreamEvent>> snapshotsBySubject, String reason) {
        return KeycloakBatchMode.run(session, () -> repairSubjects(session, snapshotsBySubject, reason, ApplyMode.REPAIR));
    }

    /**
     * A repair for bulk loads (a full sync): usernames are not looked up in the realm one by one, the
     * realm's unique key on them decides. On PostgreSQL without statistics (a new replica's first full
     * sync) every such lookup is planned as a scan of the realm's users, so a large first sync would slow
     * down with every user it adds. When the key refuses a username, the transaction fails as a whole; the
     * caller then runs the same subjects through {@link #repair}, which looks up every username and
     * parks or rejects the subject whose username is taken, as always.
     */
    public BatchResult repairTrustingUniqueUsernames(KeycloakSession session, Map<String, List<StreamEvent>> snapshotsBySubject,
                                                     String reason) {
        return KeycloakBatchMode.run(session, () -> repairSubjects(session, snapshotsBySubject, reason, ApplyMode.BULK_REPAIR));
    }

    private BatchResult repairSubjects(KeycloakSession session, Map<String, List<StreamEvent>> snapshotsBySubject, String reason,
                                       ApplyMode mode) {
        ApplyBatch batch = batch(session, mode);
        batch.load(snapshotsBySubject.keySet(), List.of());
        if (!mode.bulk()) {
            batch.prefetchUsernames(snapshotsBySubject.values().stream().flatMap(List::stream).toList());
        }
        snapshotsBySubject.forEach((subject, snapshots) -> batch.repair(subject, snapshots, reason));
        batch.finish();
        return batch.result(List.of());
    }

    /**
     * Gives subjects that wait for a username the one they were given, where nobody else holds it any
     * more (its holder let go of it through a path that did not give it on at once: another node's
     * transaction, an orphan sweep); when none is free, breaks rotations of usernames among waiting
     * subjects ({@link UsernameCycles}). In the caller's transaction.
     *
     * @return how many subjects have their username now
     */
    public int retryParked(KeycloakSession session, int max) {
        return KeycloakBatchMode.run(session, () -> {
            ApplyBatch batch = batch(session, ApplyMode.EVENTS);
            List<String> names = batch.subjectRows.parkedWithFreeUsername(target.componentId(), max);
            List<List<String>> cycles = names.isEmpty() ? UsernameCycles.find(batch.subjectRows.parkedWaits(target.componentId(), max)) : List.of();
            if (names.isEmpty() && cycles.isEmpty()) {
                return 0;
            }
            List<String> loaded = new ArrayList<>(names);
            cycles.forEach(loaded::addAll);
            batch.load(loaded, List.of());
            int freed = batch.waits().retryParked(names, "username free");
            cycles.forEach(cycle -> batch.waits().breakCycle(cycle, "usernames rotated"));
            batch.finish();
            return freed;
        });
    }

    /** Why an otherwise valid event cannot be trusted where it was found, or null when it can. */
    private String misplacement(InboundRecord record, StreamEvent event) {
        if (event.envelope().type().isSnapshot()) {
            return "is a " + event.envelope().type() + " record on delta topic " + record.topic() + "; snapshots belong on "
                    + target.topics().identitySnapshot() + " and " + target.topics().credentialsSnapshot();
        }
        boolean identity = event instanceof IdentityUpsert || event instanceof IdentityDeletion;
        String expectedTopic = identity ? target.topics().identity() : target.topics().credentials();
        if (!expectedTopic.equals(record.topic())) {
            return "is a " + event.envelope().type() + " event on topic " + record.topic() + "; it belongs on " + expectedTopic;
        }
        if (record.key() != null && !record.key().equals(event.subject())) {
            return "has record key '" + LogSafe.escape(record.key(), 255) + "' but subject '" + event.subject()
                    + "': the key must be the subject, or one subject's events can be reordered across partitions";
        }
        return null;
    }
}
