package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Ledger;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.AfterCommit;
import io.github.keycloakreplica.store.DeadLetterEntry;
import io.github.keycloakreplica.store.DeadLetterRows;
import io.github.keycloakreplica.store.EventLogLine;
import io.github.keycloakreplica.store.EventLogRows;
import io.github.keycloakreplica.store.Ledgers;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.RecentEventIds;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.store.UnresolvedRows;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.SecretRedaction;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.VersionedValue;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One apply transaction of a replica component: its clock, its subjects (their ledgers locked for the
 * transaction), and what became of each event. It offers facts to the ledgers, writes what changed into
 * Keycloak's users, and at the end saves the ledgers, the event logs and the unresolved entitlements.
 * What kind of transaction it is ({@link ApplyMode}) is fixed when it is made. Subjects waiting for a
 * username are {@link UsernameWaits}' part, the tally of outcomes {@link BatchOutcomes}'.
 */
final class ApplyBatch {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    /** How many lines of its event log a subject keeps. */
    static final int EVENT_LOG_LENGTH = 100;

    private static final UserWriter.Written NOTHING = new UserWriter.Written(Map.of(), false, false, List.of());

    final SubjectRows subjectRows;
    private final EventLogRows eventLog;
    final UserWriter writer;
    final long now = System.currentTimeMillis();
    final Map<String, SubjectRecord> subjects = new LinkedHashMap<>();
    private final KeycloakSession session;
    private final ApplyTarget target;
    private final ApplyMode mode;
    private final Ledgers ledgers;
    private final DeprovisioningExposures exposures;
    private final UnresolvedEntitlements unresolved;
    private final UsernameWaits waits = new UsernameWaits(this);
    private final BatchOutcomes outcomes = new BatchOutcomes();
    /** Event ids the subjects met recently, and those this batch met. */
    private final Set<String> seen = new HashSet<>();

    ApplyBatch(KeycloakSession session, ApplyTarget target, ApplyMode mode) {
        ApplySession.mark(session);
        RealmModel realm = session.realms().getRealm(target.realmId());
        if (realm == null) {
            throw new IllegalStateException("realm " + target.realmId() + " of replica component " + target.componentId()
                    + " no longer exists");
        }
        session.getContext().setRealm(realm);
        this.session = session;
        this.target = target;
        this.mode = mode;
        this.subjectRows = SubjectRows.of(session);
        this.ledgers = Ledgers.of(session);
        this.eventLog = EventLogRows.of(session);
        this.writer = new UserWriter(session, realm, target.componentId());
        if (mode.bulk()) {
            writer.trustUniqueUsernames();
        }
        this.exposures = new DeprovisioningExposures(session, target.componentId(), now);
        this.unresolved = new UnresolvedEntitlements(UnresolvedRows.of(session), target.componentId(), mode.bulk());
        // Counted once the batch's transaction commits: a batch that rolls back is applied again (a full
        // sync's chunk redone with usernames looked up, a consumer batch retried) and would count twice.
        AfterCommit.run(session, () -> outcomes.reportTo(target.metrics()));
    }

    String componentId() {
        return target.componentId();
    }

    UsernameWaits waits() {
        return waits;
    }

    /** Loads and locks the subjects' ledgers and reads their users, with what a repair compares them against. */
    void load(Collection<String> names, Collection<String> eventIds) {
        Map<String, SubjectRecord> loaded = ledgers.load(componentId(), names, SubjectIds::userId);
        subjects.putAll(loaded);
        // By id, not by versions alone: a redelivered event is dropped whatever became of its versions.
        Set<String> batchIds = new HashSet<>(eventIds);
        loaded.values().stream().filter(r -> r.row() != null)
                .flatMap(r -> RecentEventIds.read(r.row().getRecentEventIds()).stream())
                .filter(batchIds::contains)
                .forEach(seen::add);
        unresolved.load(loaded.values().stream().filter(r -> r.row() != null).map(r -> r.row().getId()).toList());
        // A bulk load trusts the database's keys: a subject without a row has no user yet (were it otherwise,
        // the user's insert fails and the caller applies the subjects again, looking everything up).
        boolean trusting = mode.bulk();
        Set<String> existing = writer.prefetch(loaded.values().stream().filter(r -> !trusting || r.row() != null).map(SubjectRecord::userId).toList(),
                loaded.values().stream().filter(r -> trusting && r.row() == null).map(SubjectRecord::userId).toList());
        if (mode.repairs()) {
            writer.prefetchHoldings(existing);
        }
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

    /**
     * Applies one delta event.
     *
     * @param record the Kafka record, or null for an event the write path confirmed (which cannot be dead-lettered)
     * @throws EventRejectedException for a confirmed event that cannot apply here
     */
    void apply(InboundRecord record, String origin, StreamEvent event) {
        SubjectRecord subject = subjects.get(event.subject());
        String eventId = event.envelope().id();
        if (!seen.add(eventId)) {
            line(subject, event, Outcome.DUPLICATE, "event id seen before", origin);
            outcomes.count(Outcome.DUPLICATE);
            return;
        }
        Ledger before = subject.ledger().copy();
        SubjectApply.Result result;
        List<String> notes = new ArrayList<>();
        try {
            if (event instanceof CredentialUpsert upsert) {
                writer.checkCredential(upsert.credential());
            }
            result = SubjectApply.apply(subject.ledger(), event);
            write(subject, result.changes(), before.live(), result.applied(), notes);
        } catch (EventRejectedException e) {
            subject.restore(before);
            if (record == null) {
                throw e;
            }
            reject(record, event, subject, "Event cannot apply here: " + e.getMessage());
            return;
        }
        exposures.record(subject.subject(), eventId, result.changes());
        String detail = EventLogText.detail(eventId, result);
        if (!notes.isEmpty()) {
            detail = (detail == null ? "" : detail + "; ") + String.join("; ", notes);
        }
        line(subject, event, result.outcome(), detail, origin);
        outcomes.count(result.outcome());
        if (!result.stale().isEmpty()) {
            log.infof("replica %s: stale %s for subject %s from %s: %s at or below the stored versions", componentId(),
                    event.envelope().type(), subject.subject(), event.envelope().source(), EventLogText.versions(event, result.stale()));
        }
        if (!result.buffered().isEmpty()) {
            log.infof("replica %s: gap for subject %s: %s from %s wait for earlier versions", componentId(), subject.subject(),
                    EventLogText.versions(event, result.buffered()), event.envelope().source());
        }
    }

    /**
     * Fast-forwards a subject to its snapshot records and makes its Keycloak user equal the ledger as a
     * whole, mending what drifted.
     */
    void repair(String name, List<StreamEvent> snapshots, String reason) {
        SubjectRecord subject = subjects.get(name);
        if (snapshots.isEmpty()) {
            logLine(name, new LogLine(null, "repair", null, Outcome.BUFFERED, reason + ": no snapshot record found; the gap stays open", null));
            return;
        }
        List<Fact> facts = new ArrayList<>();
        snapshots.forEach(snapshot -> facts.addAll(SubjectApply.facts(snapshot)));
        Ledger before = subject.ledger().copy();
        SubjectApply.Result result = SubjectApply.repair(subject.ledger(), facts);
        List<String> notes = new ArrayList<>();
        try {
            write(subject, List.of(UserChange.projection(subject.ledger(), result.applied())), before.live(), result.applied(), notes);
        } catch (EventRejectedException e) {
            subject.restore(before);
            log.warnf("replica %s: cannot repair subject %s from its snapshot: %s", componentId(), name, e.getMessage());
            logLine(name, new LogLine(null, "repair", null, Outcome.REJECTED, "repair refused: " + e.getMessage(), null));
            outcomes.count(Outcome.REJECTED);
            return;
        }
        String applied = EventLogText.applied(result.applied());
        String detail = notes.isEmpty() ? reason : reason + "; " + String.join("; ", notes);
        logLine(name, new LogLine(snapshots.get(snapshots.size() - 1).envelope().id(), "repair", applied, Outcome.REPAIRED, detail, null));
        outcomes.count(Outcome.REPAIRED);
        String what = applied.isEmpty() ? "nothing newer" : applied;
        if (mode.bulk() && notes.isEmpty()) {
            // A line per subject of a bulk load costs more than it tells; the operation reports the counts.
            log.debugf("replica %s: repaired subject %s from its snapshot (%s): %s", componentId(), name, reason, what);
        } else {
            log.infof("replica %s: repaired subject %s from its snapshot (%s): %s", componentId(), name, detail, what);
        }
    }

    /**
     * Writes a subject's changes into Keycloak after checking them. A subject waiting for a username, or
     * whose user is missing although the ledger says it is a user, is projected whole. A username another
     * subject of the component still holds parks the subject: everything else is written (to a user that
     * exists), the username waits.
     *
     * @param liveBefore whether the ledger made the subject a user before these changes (so its user should exist)
     * @param applied    the facts these changes carry: a projection that differs from the user in them only is
     *                   their application, not drift
     * @param notes      collects what an operator should read in the event log (waiting, drift mended)
     * @throws EventRejectedException when the changes can never apply here; nothing is written then
     */
    void write(SubjectRecord subject, List<UserChange> changes, boolean liveBefore, List<Fact> applied, List<String> notes) {
        boolean parked = subject.parked();
        if (changes.isEmpty() && !parked) {
            return;
        }
        boolean incremental = changes.stream().anyMatch(c -> c instanceof UserChange.SetAttribute || c instanceof UserChange.SetCredentials);
        if (parked || incremental && writer.find(subject.userId()) == null) {
            changes = List.of(UserChange.projection(subject.ledger(), applied));
        }
        changes = waits.writable(subject, changes, applied, notes);
        UserWriter.Written written = changes.isEmpty() ? NOTHING : writer.apply(subject.subject(), subject.userId(), changes);
        if (written.created() && liveBefore && !parked) {
            notes.add("Keycloak's user was missing: created from the ledger");
            log.warnf("replica %s: the Keycloak user %s of subject %s was missing; created from its ledger", componentId(),
                    subject.userId(), subject.subject());
        } else {
            List<String> drift = UserProjection.drift(written.corrected(), applied, parked, unresolved.attributesBefore(subject));
            if (!drift.isEmpty()) {
                notes.add("Keycloak's user differed from the ledger in " + String.join(", ", drift) + ": put right");
                log.warnf("replica %s: the Keycloak user %s of subject %s differed from its ledger in %s; put right", componentId(),
                        subject.userId(), subject.subject(), String.join(", ", drift));
            }
        }
        outcomes.effect(subject.subject(), UserEffect.of(changes, written));
        unresolved.found(subject, written.unresolved());
    }

    void finish() {
        waits.handOver();
        writer.insertNewUsers();
        for (SubjectRecord subject : subjects.values()) {
            ledgers.closingGapTimes(subject).forEach(opened -> outcomes.gapResolved(now - opened));
        }
        // The repair time on the rows in hand, before they are written: a bulk update by component and subject
        // is planned as a scan of every subject by PostgreSQL without statistics (a new replica's first full sync).
        outcomes.forEachLogged((name, lines) -> subjects.get(name).countLogLines(lines.size()));
        ledgers.save(componentId(), target.realmId(), subjects.values(), target.criticalAttributes(), now, mode.repairs());
        for (SubjectRecord subject : subjects.values()) {
            if (subject.row() == null) {
                continue;
            }
            int sequence = 0;
            List<String> met = new ArrayList<>();
            for (LogLine line : outcomes.logLines(subject.subject())) {
                eventLog.appendCounted(subject.row(), new EventLogLine(line.eventId(), line.type(), line.versions(), line.outcome().name(),
                        line.detail(), line.origin()), now, sequence++);
                if (line.fromStream()) {
                    met.add(line.eventId());
                }
            }
            if (!met.isEmpty()) {
                subject.row().setRecentEventIds(RecentEventIds.add(subject.row().getRecentEventIds(), met, RecentEventIds.KEEP));
            }
            unresolved.save(subject, now);
            eventLog.prune(subject.row(), EVENT_LOG_LENGTH);
        }
    }

    void logLine(String subject, LogLine line) {
        outcomes.logLine(subject, line);
    }

    private void line(SubjectRecord subject, StreamEvent event, Outcome outcome, String detail, String origin) {
        if (subject == null) {
            return;
        }
        logLine(subject.subject(), new LogLine(event.envelope().id(), event.envelope().type().value(), EventLogText.versions(event, null),
                outcome, detail, origin));
    }

    /** Dead-letters a record, redacted, and logs its event on its subject when both are known. */
    void reject(InboundRecord record, StreamEvent event, SubjectRecord subject, String reason) {
        boolean credentials = target.topics().mayCarrySecrets(record.topic());
        String eventId = event == null ? null : event.envelope().id();
        String type = event == null ? null : event.envelope().type().value();
        log.warnf("replica %s: dead-lettered record %s (key %s, event %s): %s", componentId(), record, LogSafe.escape(record.key(), 300),
                LogSafe.escape(eventId, 300), LogSafe.escape(reason, 2_000));
        DeadLetterRows.of(session).deadLetter(componentId(), target.realmId(), record.origin(),
                new DeadLetterEntry(record.key(), eventId, type, reason, SecretRedaction.redact(record.value(), credentials)), now);
        if (event != null) {
            line(subject, event, Outcome.REJECTED, reason, record.toString());
        }
        outcomes.count(Outcome.REJECTED);
    }

    /** How many entitlements of a subject this batch found missing. */
    int stillUnresolved(String subject) {
        return unresolved.still(subject);
    }

    StreamApplier.BatchResult result(List<PartitionPosition> positions) {
        return outcomes.result(positions);
    }
}
