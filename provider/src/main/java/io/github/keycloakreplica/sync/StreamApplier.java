package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Ledger;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.ExposureRows;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.Ledgers;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.RecentEventIds;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.store.ReplicaUnresolvedEntity;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.SecretRedaction;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import org.jboss.logging.Logger;
import org.keycloak.connections.jpa.support.EntityManagers;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
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
 */
public final class StreamApplier {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    /** How many lines of its event log a subject keeps. */
    static final int EVENT_LOG_LENGTH = 100;

    private final String componentId;
    private final String realmId;
    private final Topics topics;
    private final StreamCodec codec;
    private final Set<String> criticalAttributes;
    private final ReplicaMetrics metrics;

    public StreamApplier(String componentId, String realmId, Topics topics, StreamCodec codec, Set<String> criticalAttributes,
                         ReplicaMetrics metrics) {
        this.componentId = componentId;
        this.realmId = realmId;
        this.topics = topics;
        this.codec = codec;
        this.criticalAttributes = Set.copyOf(criticalAttributes);
        this.metrics = metrics;
    }

    /**
     * What one batch did, for counters and logs: per outcome, and what became of Keycloak users (created,
     * changed, deleted), counted once per subject.
     */
    public record BatchResult(Map<Outcome, Integer> outcomes, List<PartitionPosition> positions, int added, int updated, int removed) {

        public int count(Outcome outcome) {
            return outcomes.getOrDefault(outcome, 0);
        }
    }

    /** Applies the records in order. Runs inside the caller's transaction; throws if the batch must roll back. */
    public BatchResult apply(KeycloakSession session, List<InboundRecord> records) {
        return inBatchMode(session, () -> applyRecords(session, records));
    }

    private BatchResult applyRecords(KeycloakSession session, List<InboundRecord> records) {
        Batch batch = new Batch(session);
        Map<InboundRecord, StreamEvent> decoded = new LinkedHashMap<>();
        for (InboundRecord record : records) {
            StreamEvent event;
            try {
                event = codec.decode(record.value());
            } catch (InvalidEventException e) {
                batch.reject(record, null, null, "Record " + e.getMessage());
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
        decoded.forEach(batch::apply);
        batch.finish();

        Map<String, PartitionPosition> positions = new LinkedHashMap<>();
        records.forEach(r -> positions.put(r.topic() + "#" + r.partition(), new PartitionPosition(r.topic(), r.partition(), r.offset() + 1)));
        batch.store.savePositions(componentId, realmId, positions.values(), batch.now);
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
                Batch batch = new Batch(session);
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
        ReplicaStore.of(session).savePositions(componentId, realmId, positions, System.currentTimeMillis());
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
        Batch batch = new Batch(session);
        StreamEvent event = null;
        try {
            event = codec.decode(record.value());
        } catch (InvalidEventException e) {
            // The reason given is the one worth keeping.
        }
        batch.reject(record, event, null, reason);
        if (advance) {
            batch.store.savePositions(componentId, realmId,
                    List.of(new PartitionPosition(record.topic(), record.partition(), record.offset() + 1)), batch.now);
        }
    }

    /**
     * Fast-forwards subjects to their snapshot records (read from the compacted topics, newest last),
     * in the caller's transaction: for a replica's bootstrap and for gaps past their timeout.
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
     * rejects the one that is taken, with a dead letter, as always.
     */
    public BatchResult repairTrustingUniqueUsernames(KeycloakSession session, Map<String, List<StreamEvent>> snapshotsBySubject,
                                                     String reason) {
        return inBatchMode(session, () -> repairSubjects(session, snapshotsBySubject, reason, true));
    }

    private BatchResult repairSubjects(KeycloakSession session, Map<String, List<StreamEvent>> snapshotsBySubject, String reason,
                                       boolean trustUniqueUsernames) {
        Batch batch = new Batch(session);
        batch.repairing = true;
        if (trustUniqueUsernames) {
            batch.writer.trustUniqueUsernames();
        }
        batch.load(snapshotsBySubject.keySet(), List.of());
        if (trustUniqueUsernames) {
            // A line per subject of a bulk load costs more than it tells; the operation reports the counts.
            batch.quietRepairs = true;
        } else {
            batch.prefetchUsernames(snapshotsBySubject.values().stream().flatMap(List::stream).toList());
        }
        snapshotsBySubject.forEach((subject, snapshots) -> batch.repair(subject, snapshots, reason));
        batch.finish();

        return batch.result(List.of());
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
            Batch batch = new Batch(session);
            batch.load(subjects, List.of());
            List<Orphan> done = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            for (SubjectRecord subject : batch.subjects.values()) {
                if (subject.row() == null || !subject.row().isLive()) {
                    continue;
                }
                org.keycloak.models.UserModel user = batch.writer.find(subject.userId());
                done.add(new Orphan(subject.subject(), subject.userId(), user == null ? null : user.getUsername()));
                if (remove) {
                    batch.writer.apply(subject.subject(), subject.userId(), List.of(new UserChange.Delete()));
                    forgotten.add(subject.row().getId());
                } else if (user != null) {
                    user.setEnabled(false);
                    batch.store.log(subject.row(), null, "orphan", null, "DISABLED", reason, null, batch.now, 0);
                }
            }
            org.keycloak.connections.jpa.JpaConnectionProvider jpa = session.getProvider(org.keycloak.connections.jpa.JpaConnectionProvider.class);
            jpa.getEntityManager().flush();
            batch.store.forgetSubjects(forgotten);
            log.infof("replica %s: %s %d orphan(s): %s", componentId, remove ? "removed" : "disabled", done.size(), reason);
            return done;
        });
    }

    /**
     * Grants what was unresolved and exists by now: re-applies the entitlement attributes (realm roles,
     * client roles, groups) of every subject with unresolved entitlements, in the caller's transaction.
     *
     * @return how many subjects had everything resolved
     */
    public int resolveEntitlements(KeycloakSession session) {
        return inBatchMode(session, () -> resolve(session));
    }

    private int resolve(KeycloakSession session) {
        Batch batch = new Batch(session);
        List<String> names = batch.store.subjectsWithUnresolved(componentId);
        if (names.isEmpty()) {
            return 0;
        }
        batch.load(names, List.of());
        int resolved = 0;
        for (SubjectRecord subject : batch.subjects.values()) {
            if (!subject.ledger().live()) {
                batch.unresolved.put(subject.subject(), new LinkedHashMap<>());
                continue;
            }
            List<UserChange> changes = subject.ledger().current(Fact.Kind.ATTRIBUTE).values().stream()
                    .filter(f -> AttributeName.of(f.name()).isEntitlement())
                    .map(f -> (UserChange) new UserChange.SetAttribute(f))
                    .toList();
            Map<String, List<String>> missing = batch.writer.apply(subject.subject(), subject.userId(), changes);
            batch.unresolved.put(subject.subject(), missing);
            if (missing.values().stream().allMatch(List::isEmpty)) {
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
            return "has record key '" + record.key() + "' but subject '" + event.subject()
                    + "': the key must be the subject, or one subject's events can be reordered across partitions";
        }
        return null;
    }

    /** One line for a subject's event log, written once the subject's row exists. */
    private record LogLine(String eventId, String type, String versions, Outcome outcome, String detail, String origin) {

        /** A line for a delta event (not a repair from a snapshot): its id is one a redelivery would carry. */
        boolean fromStream() {
            return eventId != null && origin != null;
        }
    }

    /** The state of one batch: its clock, its subjects, and what became of each event. */
    private final class Batch {

        final KeycloakSession session;
        final ReplicaStore store;
        final Ledgers ledgers;
        final UserWriter writer;
        final LinkRows linkRows;
        final ExposureRows exposureRows;
        final long now = System.currentTimeMillis();
        final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        /** How long each gap this batch closes was open, in milliseconds. */
        final List<Long> gapsResolved = new ArrayList<>();
        /** What each subject's user went through in this batch: created, changed or deleted. */
        final Map<String, UserEffect> effects = new HashMap<>();
        final Map<String, List<LogLine>> logLines = new LinkedHashMap<>();
        final Map<String, Map<String, List<String>>> unresolved = new LinkedHashMap<>();
        Map<String, SubjectRecord> subjects = Map.of();
        /** Event ids the subjects met recently, and those this batch met. */
        Set<String> seen = Set.of();
        Map<String, List<ReplicaUnresolvedEntity>> storedUnresolved = Map.of();

        Batch(KeycloakSession session) {
            ApplySession.mark(session);
            RealmModel realm = session.realms().getRealm(realmId);
            if (realm == null) {
                throw new IllegalStateException("realm " + realmId + " of replica component " + componentId + " no longer exists");
            }
            session.getContext().setRealm(realm);
            this.session = session;
            this.store = ReplicaStore.of(session);
            this.ledgers = store.ledgers();
            this.writer = new UserWriter(session, realm, componentId);
            this.linkRows = LinkRows.of(session);
            this.exposureRows = ExposureRows.of(session);
            // Counted once the batch's transaction commits: a batch that rolls back is applied again (a full
            // sync's chunk redone with usernames looked up, a consumer batch retried) and would count twice.
            session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
                @Override
                protected void commitImpl() {
                    outcomes.forEach(metrics::counted);
                    gapsResolved.forEach(metrics::gapResolved);
                }

                @Override
                protected void rollbackImpl() {
                }
            });
        }

        void load(Collection<String> names, Collection<String> eventIds) {
            subjects = ledgers.load(componentId, names, SubjectIds::userId);
            List<String> rowIds = subjects.values().stream().filter(r -> r.row() != null).map(r -> r.row().getId()).toList();
            // By id, not by versions alone: a redelivered event is dropped whatever became of its versions.
            Set<String> batchIds = new HashSet<>(eventIds);
            seen = new HashSet<>();
            subjects.values().stream().filter(r -> r.row() != null)
                    .flatMap(r -> RecentEventIds.read(r.row().getRecentEventIds()).stream())
                    .filter(batchIds::contains)
                    .forEach(seen::add);
            storedUnresolved = new HashMap<>(store.unresolvedBySubject(rowIds));
            // A bulk load trusts the database's keys: a subject without a row has no user yet (were it otherwise,
            // the user's insert fails and the caller applies the subjects again, looking everything up).
            boolean trusting = writer.trustsUniqueUsernames();
            writer.prefetch(subjects.values().stream().filter(r -> !trusting || r.row() != null).map(SubjectRecord::userId).toList(),
                    subjects.values().stream().filter(r -> trusting && r.row() == null).map(SubjectRecord::userId).toList());
        }

        /** The usernames these events give, checked against the realm in one query rather than one per user. */
        void prefetchUsernames(Collection<StreamEvent> events) {
            List<String> usernames = new ArrayList<>();
            for (StreamEvent event : events) {
                Map<String, VersionedValue> attributes = event instanceof IdentityUpsert u ? u.attributes()
                        : event instanceof IdentitySnapshot s ? s.attributes() : Map.of();
                VersionedValue username = attributes.get("username");
                if (username != null && username.value() != null && username.value().isTextual()) {
                    usernames.add(username.value().asText());
                }
            }
            writer.prefetchUsernames(usernames);
        }

        void apply(InboundRecord record, StreamEvent event) {
            apply(record, record.toString(), event);
        }

        /** @param record the Kafka record, or null for an event the write path confirmed (which cannot be dead-lettered) */
        void apply(InboundRecord record, String origin, StreamEvent event) {
            SubjectRecord subject = subjects.get(event.subject());
            String eventId = event.envelope().id();
            if (!seen.add(eventId)) {
                line(subject, event, Outcome.DUPLICATE, "event id seen before", origin);
                count(Outcome.DUPLICATE);
                return;
            }
            Ledger before = subject.ledger().copy();
            SubjectApply.Result result;
            try {
                if (event instanceof CredentialUpsert upsert) {
                    writer.checkCredential(upsert.credential());
                }
                result = SubjectApply.apply(subject.ledger(), event);
                writer.check(subject.userId(), result.changes());
            } catch (EventRejectedException e) {
                subject.restore(before);
                if (record == null) {
                    throw e;
                }
                reject(record, event, subject, "Event cannot apply here: " + e.getMessage());
                return;
            }
            Map<String, List<String>> missing = writer.apply(subject.subject(), subject.userId(), result.changes());
            effect(subject.subject(), result.changes());
            String deprovisioning = deprovisioning(result.changes());
            if (deprovisioning != null) {
                exposures(subject.subject(), eventId, deprovisioning);
            }
            missing.forEach((attribute, entitlements) -> {
                unresolved.computeIfAbsent(subject.subject(), s -> new LinkedHashMap<>()).put(attribute, entitlements);
                entitlements.forEach(e -> log.warnf("replica %s: subject %s names %s, which this realm does not have; recorded as unresolved, "
                        + "the rest of the event applies", componentId, subject.subject(), e));
            });
            line(subject, event, result.outcome(), detail(eventId, result), origin);
            count(result.outcome());
            if (!result.stale().isEmpty()) {
                log.infof("replica %s: stale %s for subject %s from %s: %s at or below the stored versions", componentId,
                        event.envelope().type(), subject.subject(), event.envelope().source(), versions(event, result.stale()));
            }
            if (!result.buffered().isEmpty()) {
                log.infof("replica %s: gap for subject %s: %s from %s wait for earlier versions", componentId, subject.subject(),
                        versions(event, result.buffered()), event.envelope().source());
            }
        }

        /**
         * A person deleted or disabled upstream who signed in here while the link was down: the sign-ins
         * of the latest severance become the exposure of this deprovisioning.
         */
        void exposures(String subject, String eventId, String kind) {
            Long since = linkRows.lastLeftConnected(componentId);
            int overlap = exposureRows.recordDeprovisioning(componentId, subject, since == null ? 0 : since, eventId, kind, now);
            if (overlap > 0) {
                log.warnf("replica %s: subject %s was %s upstream and had signed in here %d time(s) while the link was down: "
                        + "recorded as a deprovisioning-lag exposure", componentId, subject, kind, overlap);
            }
        }

        boolean quietRepairs;
        /** Whether this batch repairs subjects from their snapshots, rather than applying the deltas. */
        boolean repairing;

        void repair(String name, List<StreamEvent> snapshots, String reason) {
            SubjectRecord subject = subjects.get(name);
            if (snapshots.isEmpty()) {
                logLines.computeIfAbsent(name, s -> new ArrayList<>()).add(new LogLine(null, "repair", null, Outcome.BUFFERED,
                        reason + ": no snapshot record found; the gap stays open", null));
                return;
            }
            List<Fact> facts = new ArrayList<>();
            snapshots.forEach(snapshot -> facts.addAll(SubjectApply.facts(snapshot)));
            Ledger before = subject.ledger().copy();
            SubjectApply.Result result = SubjectApply.repair(subject.ledger(), facts);
            try {
                writer.check(subject.userId(), result.changes());
            } catch (EventRejectedException e) {
                subject.restore(before);
                log.warnf("replica %s: cannot repair subject %s from its snapshot: %s", componentId, name, e.getMessage());
                logLines.computeIfAbsent(name, s -> new ArrayList<>()).add(new LogLine(null, "repair", null, Outcome.REJECTED,
                        "repair refused: " + e.getMessage(), null));
                count(Outcome.REJECTED);
                return;
            }
            effect(name, result.changes());
            writer.apply(name, subject.userId(), result.changes())
                    .forEach((attribute, entitlements) -> unresolved.computeIfAbsent(name, s -> new LinkedHashMap<>()).put(attribute, entitlements));
            String applied = result.applied().stream().map(f -> f.name() + " v" + f.version()).collect(Collectors.joining(", "));
            logLines.computeIfAbsent(name, s -> new ArrayList<>()).add(new LogLine(
                    snapshots.get(snapshots.size() - 1).envelope().id(), "repair", applied, Outcome.REPAIRED, reason, null));
            count(Outcome.REPAIRED);
            if (quietRepairs) {
                log.debugf("replica %s: repaired subject %s from its snapshot (%s): %s", componentId, name, reason,
                        applied.isEmpty() ? "nothing newer" : applied);
            } else {
                log.infof("replica %s: repaired subject %s from its snapshot (%s): %s", componentId, name, reason,
                        applied.isEmpty() ? "nothing newer" : applied);
            }
        }

        void finish() {
            writer.insertNewUsers();
            for (SubjectRecord subject : subjects.values()) {
                ledgers.closingGapTimes(subject).forEach(opened -> gapsResolved.add(now - opened));
            }
            // The repair time on the rows in hand, before they are written: a bulk update by component and subject
            // is planned as a scan of every subject by PostgreSQL without statistics (a new replica's first full sync).
            logLines.forEach((name, lines) -> subjects.get(name).countLogLines(lines.size()));
            ledgers.save(componentId, realmId, subjects.values(), criticalAttributes, now, repairing);
            for (SubjectRecord subject : subjects.values()) {
                if (subject.row() == null) {
                    continue;
                }
                int sequence = 0;
                List<String> met = new ArrayList<>();
                for (LogLine line : logLines.getOrDefault(subject.subject(), List.of())) {
                    store.logCounted(subject.row(), line.eventId(), line.type(), line.versions(), line.outcome().name(), line.detail(),
                            line.origin(), now, sequence++);
                    if (line.fromStream()) {
                        met.add(line.eventId());
                    }
                }
                if (!met.isEmpty()) {
                    subject.row().setRecentEventIds(RecentEventIds.add(subject.row().getRecentEventIds(), met, RecentEventIds.KEEP));
                }
                List<ReplicaUnresolvedEntity> stored = storedUnresolved.computeIfAbsent(subject.row().getId(), id -> new ArrayList<>());
                unresolved.getOrDefault(subject.subject(), Map.of())
                        .forEach((attribute, missing) -> store.setUnresolved(subject.row(), attribute, missing, stored, now));
                store.pruneLog(subject.row(), EVENT_LOG_LENGTH);
            }
        }

        void line(SubjectRecord subject, StreamEvent event, Outcome outcome, String detail, String origin) {
            if (subject == null) {
                return;
            }
            logLines.computeIfAbsent(subject.subject(), s -> new ArrayList<>()).add(new LogLine(event.envelope().id(),
                    event.envelope().type().value(), versions(event, null), outcome, detail, origin));
        }

        void reject(InboundRecord record, StreamEvent event, SubjectRecord subject, String reason) {
            boolean credentials = topics.credentials().equals(record.topic());
            String eventId = event == null ? null : event.envelope().id();
            String type = event == null ? null : event.envelope().type().value();
            log.warnf("replica %s: dead-lettered record %s (key %s, event %s): %s", componentId, record, record.key(), eventId, reason);
            store.deadLetter(componentId, realmId, record.origin(), record.key(), eventId, type, reason,
                    SecretRedaction.redact(record.value(), credentials), now);
            if (event != null) {
                line(subject, event, Outcome.REJECTED, reason, record.toString());
            }
            count(Outcome.REJECTED);
        }

        void count(Outcome outcome) {
            outcomes.merge(outcome, 1, Integer::sum);
        }

        void effect(String subject, List<UserChange> changes) {
            UserEffect now = UserEffect.of(changes);
            if (now != null) {
                effects.merge(subject, now, UserEffect::then);
            }
        }

        BatchResult result(List<PartitionPosition> positions) {
            Map<UserEffect, Long> counted = effects.values().stream().filter(java.util.Objects::nonNull)
                    .collect(Collectors.groupingBy(e -> e, () -> new EnumMap<>(UserEffect.class), Collectors.counting()));
            return new BatchResult(outcomes, positions, counted.getOrDefault(UserEffect.ADDED, 0L).intValue(),
                    counted.getOrDefault(UserEffect.UPDATED, 0L).intValue(), counted.getOrDefault(UserEffect.REMOVED, 0L).intValue());
        }
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

    private static String detail(String eventId, SubjectApply.Result result) {
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
    private static String versions(StreamEvent event, Collection<String> only) {
        return SubjectApply.facts(event).stream()
                .filter(f -> only == null || only.contains(f.name()))
                .map(f -> (f.kind() == Fact.Kind.CREDENTIAL ? "credential " : "") + f.name() + " v" + f.version())
                .collect(Collectors.joining(", "));
    }
}
