package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.DeadLetterRows;
import io.github.keycloakreplica.store.EventLogLine;
import io.github.keycloakreplica.store.EventLogRows;
import io.github.keycloakreplica.store.GapRows;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.PositionRows;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.store.UnresolvedRows;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.SecretRedaction;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.connections.jpa.support.EntityManagers;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.UserModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The apply engine for one replica component: takes a batch of records from the delta topics and, in
 * the caller's one database transaction, applies their facts to the subjects' ledgers (the stream
 * contract's version table), carries the resulting changes into Keycloak's users, logs each event
 * with its outcome, dead-letters what cannot apply and stores the consumer position the batch reached.
 * The same engine repairs subjects from their snapshots (bootstrap, gap timeout, full and targeted
 * sync), which also puts right a Keycloak user that drifted from its ledger. Each call is one
 * {@link ApplyBatch}.
 */
public final class StreamApplier {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    private final String componentId;
    private final String realmId;
    private final Topics topics;
    private final StreamCodec codec;
    private final ApplyBatch.Component component;

    public StreamApplier(String componentId, String realmId, Topics topics, StreamCodec codec, Set<String> criticalAttributes,
                         ReplicaMetrics metrics) {
        this.componentId = componentId;
        this.realmId = realmId;
        this.topics = topics;
        this.codec = codec;
        this.component = new ApplyBatch.Component(componentId, realmId, topics, Set.copyOf(criticalAttributes), metrics);
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
            Map<Outcome, Integer> sum = new java.util.EnumMap<>(Outcome.class);
            sum.putAll(outcomes);
            other.outcomes.forEach((outcome, n) -> sum.merge(outcome, n, Integer::sum));
            List<PartitionPosition> both = new ArrayList<>(positions);
            both.addAll(other.positions);
            return new BatchResult(sum, both, added + other.added, updated + other.updated, removed + other.removed);
        }
    }

    private ApplyBatch batch(KeycloakSession session) {
        return new ApplyBatch(session, component);
    }

    /** Applies the records in order. Runs inside the caller's transaction; throws if the batch must roll back. */
    public BatchResult apply(KeycloakSession session, List<InboundRecord> records) {
        return inBatchMode(session, () -> applyRecords(session, records));
    }

    private BatchResult applyRecords(KeycloakSession session, List<InboundRecord> records) {
        ApplyBatch batch = batch(session);
        Map<InboundRecord, StreamEvent> decoded = new LinkedHashMap<>();
        for (InboundRecord record : records) {
            StreamEvent event;
            try {
                // The key as the consumer read it: a NUL or a newline in it survives that reading, so it is refused here.
                StreamCodec.checkRecordKey(record.key() == null ? null : record.key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
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
        records.forEach(r -> positions.put(r.topic() + "#" + r.partition(), new PartitionPosition(r.topic(), r.partition(), r.offset() + 1)));
        PositionRows.of(session).save(componentId, realmId, positions.values(), batch.now);
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
            return inBatchMode(session, () -> {
                ApplyBatch batch = batch(session);
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
        PositionRows.of(session).save(componentId, realmId, positions, System.currentTimeMillis());
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
        ApplyBatch batch = batch(session);
        StreamEvent event = null;
        try {
            event = codec.decode(record.value());
        } catch (InvalidEventException | RuntimeException e) {
            // The reason given is the one worth keeping.
        }
        batch.reject(record, event, null, reason);
        if (advance) {
            PositionRows.of(session).save(componentId, realmId,
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
        DeadLetterRows.of(session).deadLetter(componentId, realmId, record.origin(), null, null, null, reason,
                record.value() == null ? null : SecretRedaction.withheld(record.value(), "its dead letter could not be stored").text(), now);
        PositionRows.of(session).save(componentId, realmId,
                List.of(new PartitionPosition(record.topic(), record.partition(), record.offset() + 1)), now);
    }

    /**
     * Dead-letters the snapshot records of a subject whose repair failed on its own, for a reason that is
     * the data's; the subject keeps its ledger and is tried again no sooner than after another gap timeout.
     * The records are kept as this replica decoded them, redacted, under the snapshot topics' names
     * (partition and offset -1: the subject's snapshot as a whole, found again by its key and event ids).
     */
    public void deadLetterSubject(KeycloakSession session, String subject, List<StreamEvent> snapshots, String reason) {
        ApplyBatch batch = batch(session);
        for (StreamEvent event : snapshots) {
            String topic = event instanceof io.github.keycloakreplica.stream.CredentialsSnapshot
                    ? topics.credentialsSnapshot() : topics.identitySnapshot();
            batch.reject(new InboundRecord(topic, -1, -1, subject, codec.encode(event)), event, null, reason);
        }
        GapRows.of(session).markRepaired(componentId, subject, batch.now);
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
        return inBatchMode(session, () -> repairSubjects(session, snapshotsBySubject, reason, false));
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
        return inBatchMode(session, () -> repairSubjects(session, snapshotsBySubject, reason, true));
    }

    private BatchResult repairSubjects(KeycloakSession session, Map<String, List<StreamEvent>> snapshotsBySubject, String reason,
                                       boolean trustUniqueUsernames) {
        ApplyBatch batch = batch(session);
        batch.repairing = true;
        if (trustUniqueUsernames) {
            batch.writer.trustUniqueUsernames();
            batch.quietRepairs = true;
        }
        batch.load(snapshotsBySubject.keySet(), List.of());
        if (!trustUniqueUsernames) {
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
        return inBatchMode(session, () -> {
            ApplyBatch batch = batch(session);
            List<String> names = batch.subjectRows.parkedWithFreeUsername(componentId, max);
            List<List<String>> cycles = names.isEmpty() ? UsernameCycles.find(batch.subjectRows.parkedWaits(componentId, max)) : List.of();
            if (names.isEmpty() && cycles.isEmpty()) {
                return 0;
            }
            List<String> loaded = new ArrayList<>(names);
            cycles.forEach(loaded::addAll);
            batch.load(loaded, List.of());
            int freed = batch.retryParked(names, "username free");
            cycles.forEach(cycle -> batch.breakCycle(cycle, "usernames rotated"));
            batch.finish();
            return freed;
        });
    }

    /** A replica user whose subject the upstream's snapshot topics no longer hold, and what was done to it. */
    public record Orphan(String subject, String userId, String username) {
    }

    /**
     * Removes or disables the users of these subjects, in the caller's transaction, for an orphan
     * reconciliation: the caller has read the snapshot topics completely and found no record of them.
     * Removal forgets the subject too; disabling leaves its ledger as it was, so the upstream's next
     * word on it (should it come) applies as usual.
     *
     * @param reason written to each disabled subject's event log
     */
    public List<Orphan> reconcileOrphans(KeycloakSession session, Collection<String> subjects, boolean remove, String reason) {
        return inBatchMode(session, () -> {
            ApplyBatch batch = batch(session);
            batch.load(subjects, List.of());
            List<Orphan> done = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            for (SubjectRecord subject : batch.subjects.values()) {
                if (subject.row() == null || !subject.row().isLive()) {
                    continue;
                }
                UserModel user = batch.writer.find(subject.userId());
                done.add(new Orphan(subject.subject(), subject.userId(), user == null ? null : user.getUsername()));
                if (remove) {
                    batch.writer.apply(subject.subject(), subject.userId(), List.of(new UserChange.Delete()));
                    forgotten.add(subject.row().getId());
                } else if (user != null) {
                    user.setEnabled(false);
                    EventLogRows.of(session).append(subject.row(), EventLogLine.note("orphan", "DISABLED", reason), batch.now);
                }
            }
            session.getProvider(JpaConnectionProvider.class).getEntityManager().flush();
            ReplicaStore.of(session).forgetSubjects(forgotten);
            log.infof("replica %s: %s %d orphan(s): %s", componentId, remove ? "removed" : "disabled", done.size(), reason);
            return done;
        });
    }

    /**
     * Grants what was unresolved and exists by now: re-applies the entitlement attributes (realm roles,
     * client roles, groups) of every subject with unresolved entitlements, in the caller's transaction.
     * Subjects that are no longer users have theirs cleared.
     *
     * @return how many subjects had everything resolved
     */
    public int resolveEntitlements(KeycloakSession session) {
        return inBatchMode(session, () -> resolve(session));
    }

    private int resolve(KeycloakSession session) {
        ApplyBatch batch = batch(session);
        List<String> names = UnresolvedRows.of(session).subjects(componentId);
        if (names.isEmpty()) {
            return 0;
        }
        batch.load(names, List.of());
        int resolved = 0;
        for (SubjectRecord subject : batch.subjects.values()) {
            if (!subject.ledger().live()) {
                continue;
            }
            List<UserChange> changes = subject.ledger().current(Fact.Kind.ATTRIBUTE).values().stream()
                    .filter(f -> AttributeName.of(f.name()).isEntitlement())
                    .map(f -> (UserChange) new UserChange.SetAttribute(f))
                    .toList();
            List<String> notes = new ArrayList<>();
            try {
                batch.write(subject, changes, true, List.of(), notes);
            } catch (EventRejectedException e) {
                log.warnf("replica %s: cannot grant the entitlements of subject %s: %s", componentId, subject.subject(), e.getMessage());
                continue;
            }
            if (batch.stillUnresolved(subject.subject()) == 0) {
                resolved++;
                log.infof("replica %s: every entitlement of subject %s is granted now", componentId, subject.subject());
            }
        }
        batch.finish();
        return resolved;
    }

    /**
     * Runs work in Keycloak's own batch mode, as its realm import does for users: no flush after each
     * user, role or group write and none before each query, so the transaction's writes reach the
     * database once, in JDBC batches, at commit; otherwise every query re-checks every entity the
     * transaction holds, and the cost of a transaction grows with the square of its size. Queries
     * then miss unflushed writes: {@link UserWriter} flushes where a later read needs an earlier write.
     */
    private static <T> T inBatchMode(KeycloakSession session, Supplier<T> work) {
        List<T> result = new ArrayList<>(1);
        EntityManagers.runInBatch(session, () -> result.add(work.get()), false);
        return result.get(0);
    }

    /** Why an otherwise valid event cannot be trusted where it was found, or null when it can. */
    private String misplacement(InboundRecord record, StreamEvent event) {
        if (event.envelope().type().isSnapshot()) {
            return "is a " + event.envelope().type() + " record on delta topic " + record.topic() + "; snapshots belong on "
                    + topics.identitySnapshot() + " and " + topics.credentialsSnapshot();
        }
        boolean identity = event instanceof IdentityUpsert || event instanceof IdentityDeletion;
        String expectedTopic = identity ? topics.identity() : topics.credentials();
        if (!expectedTopic.equals(record.topic())) {
            return "is a " + event.envelope().type() + " event on topic " + record.topic() + "; it belongs on " + expectedTopic;
        }
        if (record.key() != null && !record.key().equals(event.subject())) {
            return "has record key '" + io.github.keycloakreplica.stream.LogSafe.escape(record.key(), 255) + "' but subject '" + event.subject()
                    + "': the key must be the subject, or one subject's events can be reordered across partitions";
        }
        return null;
    }

    /** "deleted" or "disabled" when the changes take the person's access away, else null. */
    static String deprovisioning(List<UserChange> changes) {
        for (UserChange change : changes) {
            if (change instanceof UserChange.Delete) {
                return "deleted";
            }
            if (change instanceof UserChange.SetAttribute set && AttributeName.of(set.fact().name()).kind() == AttributeName.Kind.ENABLED
                    && set.fact().present() && !set.fact().value().asBoolean(true)) {
                return "disabled";
            }
        }
        return null;
    }

    static String detail(String eventId, SubjectApply.Result result) {
        List<String> parts = new ArrayList<>();
        if (!result.stale().isEmpty()) {
            parts.add("stale: " + String.join(", ", result.stale()));
        }
        if (!result.buffered().isEmpty()) {
            parts.add("waiting for earlier versions: " + String.join(", ", result.buffered()));
        }
        List<String> unblocked = result.applied().stream()
                .filter(f -> !eventId.equals(f.provenance().eventId()))
                .map(f -> f.name() + " v" + f.version())
                .toList();
        if (!unblocked.isEmpty()) {
            parts.add("closed a gap: also applied " + String.join(", ", unblocked));
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /** "email v8, username v3": the versions an event carried (all of them, or only the named ones). */
    static String versions(StreamEvent event, Collection<String> only) {
        return SubjectApply.facts(event).stream()
                .filter(f -> only == null || only.contains(f.name()))
                .map(f -> (f.kind() == Fact.Kind.CREDENTIAL ? "credential " : "") + f.name() + " v" + f.version())
                .collect(Collectors.joining(", "));
    }
}
