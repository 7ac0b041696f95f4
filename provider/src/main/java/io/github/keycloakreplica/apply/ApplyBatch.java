package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Ledger;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.DeadLetterRows;
import io.github.keycloakreplica.store.AfterCommit;
import io.github.keycloakreplica.store.EventLogLine;
import io.github.keycloakreplica.store.EventLogRows;
import io.github.keycloakreplica.store.ExposureRows;
import io.github.keycloakreplica.store.Ledgers;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.RecentEventIds;
import io.github.keycloakreplica.store.ReplicaUnresolvedEntity;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.store.UnresolvedRows;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.SecretRedaction;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import io.github.keycloakreplica.stream.VersionedValue;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One apply transaction of a replica component: its clock, its subjects (their ledgers locked for the
 * transaction), and what became of each event. It offers facts to the ledgers, writes what changed into
 * Keycloak's users, and at the end saves the ledgers, the event logs and the unresolved entitlements.
 *
 * <p>A subject whose new username another subject still holds here (a move across partitions that
 * arrived reuse-first) waits: its ledger moves on, its Keycloak user keeps its old username (or is not
 * created yet), and the moment the holder lets go of the name in any transaction the subject is
 * projected whole. Why one class: parking and unparking reach into every kind of write a batch makes.
 */
final class ApplyBatch {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    /** How many lines of its event log a subject keeps. */
    static final int EVENT_LOG_LENGTH = 100;
    /** Rounds of giving freed usernames to the subjects waiting for them: each round can free the next name of a chain. */
    private static final int RELEASE_ROUNDS = 20;

    /** What the batch needs of its component. */
    record Component(String componentId, String realmId, Topics topics, Set<String> criticalAttributes, ReplicaMetrics metrics) {
    }

    /** One line for a subject's event log, written once the subject's row exists. */
    record LogLine(String eventId, String type, String versions, Outcome outcome, String detail, String origin) {

        /** A line for a delta event (not a repair from a snapshot): its id is one a redelivery would carry. */
        boolean fromStream() {
            return eventId != null && origin != null;
        }
    }

    private static final UserWriter.Written NOTHING = new UserWriter.Written(Map.of(), false, false, List.of());

    final KeycloakSession session;
    final Component component;
    final SubjectRows subjectRows;
    final Ledgers ledgers;
    final UserWriter writer;
    final long now = System.currentTimeMillis();
    private final LinkRows linkRows;
    private final ExposureRows exposureRows;
    private final EventLogRows eventLog;
    private final UnresolvedRows unresolvedRows;
    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    /** How long each gap this batch closes was open, in milliseconds. */
    private final List<Long> gapsResolved = new ArrayList<>();
    /** What each subject's user went through in this batch: created, changed or deleted. */
    private final Map<String, UserEffect> effects = new HashMap<>();
    private final Map<String, List<LogLine>> logLines = new LinkedHashMap<>();
    private final Map<String, Map<String, List<String>>> unresolved = new LinkedHashMap<>();
    final Map<String, SubjectRecord> subjects = new LinkedHashMap<>();
    /** Event ids the subjects met recently, and those this batch met. */
    private final Set<String> seen = new HashSet<>();
    private final Map<String, List<ReplicaUnresolvedEntity>> storedUnresolved = new HashMap<>();
    /** A line per subject of a bulk load costs more than it tells; the operation reports the counts. */
    boolean quietRepairs;
    /** Whether this batch repairs subjects from their snapshots, rather than applying the deltas. */
    boolean repairing;

    ApplyBatch(KeycloakSession session, Component component) {
        ApplySession.mark(session);
        RealmModel realm = session.realms().getRealm(component.realmId());
        if (realm == null) {
            throw new IllegalStateException("realm " + component.realmId() + " of replica component " + component.componentId()
                    + " no longer exists");
        }
        session.getContext().setRealm(realm);
        this.session = session;
        this.component = component;
        this.subjectRows = SubjectRows.of(session);
        this.ledgers = Ledgers.of(session);
        this.writer = new UserWriter(session, realm, component.componentId());
        this.linkRows = LinkRows.of(session);
        this.exposureRows = ExposureRows.of(session);
        this.eventLog = EventLogRows.of(session);
        this.unresolvedRows = UnresolvedRows.of(session);
        // Counted once the batch's transaction commits: a batch that rolls back is applied again (a full
        // sync's chunk redone with usernames looked up, a consumer batch retried) and would count twice.
        AfterCommit.run(session, () -> {
            outcomes.forEach(component.metrics()::counted);
            gapsResolved.forEach(component.metrics()::gapResolved);
        });
    }

    private String componentId() {
        return component.componentId();
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
        storedUnresolved.putAll(unresolvedRows.bySubject(loaded.values().stream().filter(r -> r.row() != null).map(r -> r.row().getId()).toList()));
        // A bulk load trusts the database's keys: a subject without a row has no user yet (were it otherwise,
        // the user's insert fails and the caller applies the subjects again, looking everything up).
        boolean trusting = writer.trustsUniqueUsernames();
        Set<String> existing = writer.prefetch(loaded.values().stream().filter(r -> !trusting || r.row() != null).map(SubjectRecord::userId).toList(),
                loaded.values().stream().filter(r -> trusting && r.row() == null).map(SubjectRecord::userId).toList());
        if (repairing) {
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
            count(Outcome.DUPLICATE);
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
        String deprovisioning = StreamApplier.deprovisioning(result.changes());
        if (deprovisioning != null) {
            exposures(subject.subject(), eventId, deprovisioning);
        }
        String detail = StreamApplier.detail(eventId, result);
        if (!notes.isEmpty()) {
            detail = (detail == null ? "" : detail + "; ") + String.join("; ", notes);
        }
        line(subject, event, result.outcome(), detail, origin);
        count(result.outcome());
        if (!result.stale().isEmpty()) {
            log.infof("replica %s: stale %s for subject %s from %s: %s at or below the stored versions", componentId(),
                    event.envelope().type(), subject.subject(), event.envelope().source(), StreamApplier.versions(event, result.stale()));
        }
        if (!result.buffered().isEmpty()) {
            log.infof("replica %s: gap for subject %s: %s from %s wait for earlier versions", componentId(), subject.subject(),
                    StreamApplier.versions(event, result.buffered()), event.envelope().source());
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
            count(Outcome.REJECTED);
            return;
        }
        String applied = result.applied().stream().map(f -> f.name() + " v" + f.version()).collect(Collectors.joining(", "));
        String detail = notes.isEmpty() ? reason : reason + "; " + String.join("; ", notes);
        logLine(name, new LogLine(snapshots.get(snapshots.size() - 1).envelope().id(), "repair", applied, Outcome.REPAIRED, detail, null));
        count(Outcome.REPAIRED);
        String what = applied.isEmpty() ? "nothing newer" : applied;
        if (quietRepairs && notes.isEmpty()) {
            log.debugf("replica %s: repaired subject %s from its snapshot (%s): %s", componentId(), name, reason, what);
        } else {
            log.infof("replica %s: repaired subject %s from its snapshot (%s): %s", componentId(), name, detail, what);
        }
    }

    /** Projects subjects waiting for a username again, for those whose username may be free by now. */
    int retryParked(Collection<String> names, String origin) {
        int freed = 0;
        for (String name : names) {
            SubjectRecord subject = subjects.get(name);
            if (subject != null && subject.parked() && retry(subject, origin)) {
                freed++;
            }
        }
        return freed;
    }

    /**
     * Breaks a rotation of usernames: the first member's user moves aside to a name nobody can hold, and at
     * {@link #finish} each member, in turn, takes the name it waits for.
     *
     * @param cycle loaded subjects in waiting order, each waiting for the next one's username
     */
    void breakCycle(List<String> cycle, String origin) {
        SubjectRecord first = subjects.get(cycle.get(0));
        String released = writer.moveAside(first.userId());
        if (released == null) {
            return;
        }
        String note = "usernames rotated among subjects " + String.join(", ", cycle) + ": user moved aside so that each can take its "
                + "new username, '" + released + "' first";
        log.infof("replica %s: %s", componentId(), note);
        logLine(first.subject(), new LogLine(null, "username", null, Outcome.APPLIED, note, origin));
    }

    /** Projects a waiting subject whole again; true when it has its username now. */
    private boolean retry(SubjectRecord subject, String origin) {
        String username = subject.parkedUsername();
        List<String> notes = new ArrayList<>();
        try {
            write(subject, List.of(), true, List.of(), notes);
        } catch (EventRejectedException e) {
            log.warnf("replica %s: subject %s still cannot have username '%s': %s", componentId(), subject.subject(), username, e.getMessage());
            return false;
        }
        if (subject.parked()) {
            return false;
        }
        logLine(subject.subject(), new LogLine(null, "username", null, Outcome.APPLIED, String.join("; ", notes), origin));
        return true;
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
        UsernameHeldException held = null;
        try {
            writer.check(subject.userId(), changes);
        } catch (UsernameHeldException e) {
            held = e;
            changes = withoutUsername(subject, applied);
            writer.check(subject.userId(), changes);
        }
        if (held != null) {
            park(subject, held, notes);
        } else if (parked && !subject.ledger().live()) {
            notes.add("deleted while it waited for username '" + subject.parkedUsername() + "'");
            subject.unpark();
        } else if (parked) {
            notes.add("username '" + subject.parkedUsername() + "' is free now: the user has it");
            log.infof("replica %s: username '%s' is free now; subject %s has it", componentId(), subject.parkedUsername(), subject.subject());
            subject.unpark();
        }
        UserWriter.Written written = changes.isEmpty() ? NOTHING : writer.apply(subject.subject(), subject.userId(), changes);
        if (written.created() && liveBefore && !parked) {
            notes.add("Keycloak's user was missing: created from the ledger");
            log.warnf("replica %s: the Keycloak user %s of subject %s was missing; created from its ledger", componentId(),
                    subject.userId(), subject.subject());
        } else {
            List<String> unresolvedBefore = subject.row() == null ? List.of()
                    : storedUnresolved.getOrDefault(subject.row().getId(), List.of()).stream().map(ReplicaUnresolvedEntity::getAttribute).toList();
            List<String> drift = UserProjection.drift(written.corrected(), applied, parked, unresolvedBefore);
            if (!drift.isEmpty()) {
                notes.add("Keycloak's user differed from the ledger in " + String.join(", ", drift) + ": put right");
                log.warnf("replica %s: the Keycloak user %s of subject %s differed from its ledger in %s; put right", componentId(),
                        subject.userId(), subject.subject(), String.join(", ", drift));
            }
        }
        UserEffect effect = UserEffect.of(changes, written);
        if (effect != null) {
            effects.merge(subject.subject(), effect, UserEffect::then);
        }
        // Said once, when first recorded: the entitlement pass tries them again every few seconds.
        Set<String> known = subject.row() == null ? Set.of() : storedUnresolved.getOrDefault(subject.row().getId(), List.of()).stream()
                .map(u -> u.getAttribute() + "\n" + u.getEntitlement()).collect(Collectors.toSet());
        written.unresolved().forEach((attribute, entitlements) -> {
            unresolved.computeIfAbsent(subject.subject(), s -> new LinkedHashMap<>()).put(attribute, entitlements);
            if (!repairing || !quietRepairs) {
                entitlements.stream().filter(e -> !known.contains(attribute + "\n" + e)).forEach(e -> log.warnf(e.startsWith(EntitlementGuard.REFUSED)
                        ? "replica %s: subject %s: %s; recorded as unresolved, the rest applies"
                        : "replica %s: subject %s names %s, which this realm does not have; recorded as unresolved, the rest applies",
                        componentId(), subject.subject(), e));
            }
        });
    }

    /** Everything of a waiting subject but its username, for a user that exists; nothing for one that does not. */
    private List<UserChange> withoutUsername(SubjectRecord subject, List<Fact> applied) {
        UserChange whole = UserChange.projection(subject.ledger(), applied);
        if (!(whole instanceof UserChange.Project project) || writer.find(subject.userId()) == null) {
            return List.of();
        }
        Map<String, Fact> attributes = new LinkedHashMap<>(project.attributes());
        attributes.remove(AttributeName.Kind.USERNAME.reserved());
        return List.of(new UserChange.Project(attributes, project.credentials(), project.changedCredentials()));
    }

    private void park(SubjectRecord subject, UsernameHeldException held, List<String> notes) {
        String holder = subjects.values().stream().filter(s -> s.userId().equals(held.holderUserId())).map(SubjectRecord::subject).findFirst()
                .or(() -> subjectRows.nameOfUser(componentId(), held.holderUserId()))
                .orElse(held.holderUserId());
        boolean again = held.username().equals(subject.parkedUsername());
        subject.park(held.username(), holder, now);
        notes.add("username '" + held.username() + "' waits for subject " + holder + " to let go of it");
        if (!again) {
            log.infof("replica %s: subject %s was given username '%s', which subject %s still holds here; it waits until %s's rename or "
                    + "deletion arrives (or is repaired from the snapshot topics after the gap timeout)", componentId(), subject.subject(),
                    held.username(), holder, holder);
        }
    }

    /**
     * Gives the usernames this transaction freed to the subjects waiting for them, here or in the database;
     * a chain of moves (C takes B's old name, B takes A's) resolves in one transaction.
     */
    private void releaseWaiting() {
        Set<String> handled = new HashSet<>();
        for (int round = 0; round < RELEASE_ROUNDS; round++) {
            Set<String> released = new LinkedHashSet<>(writer.releasedUsernames());
            released.removeAll(handled);
            if (released.isEmpty()) {
                return;
            }
            handled.addAll(released);
            Set<String> waiting = new LinkedHashSet<>();
            subjects.values().stream().filter(s -> s.parked() && released.contains(s.parkedUsername())).forEach(s -> waiting.add(s.subject()));
            List<String> stored = subjectRows.parkedOn(componentId(), released).stream().filter(s -> !subjects.containsKey(s)).toList();
            if (!stored.isEmpty()) {
                load(stored, List.of());
                waiting.addAll(stored);
            }
            for (String name : waiting) {
                SubjectRecord subject = subjects.get(name);
                if (subject.parked() && released.contains(subject.parkedUsername())) {
                    retry(subject, "username let go of");
                }
            }
        }
    }

    /**
     * A person deleted or disabled upstream who signed in here while the link was down: the sign-ins
     * of the latest severance become the exposure of this deprovisioning.
     */
    private void exposures(String subject, String eventId, String kind) {
        Long since = linkRows.lastLeftConnected(componentId());
        int overlap = exposureRows.recordDeprovisioning(componentId(), subject, since == null ? 0 : since, eventId, kind, now);
        if (overlap > 0) {
            log.warnf("replica %s: subject %s was %s upstream and had signed in here %d time(s) while the link was down: "
                    + "recorded as a deprovisioning-lag exposure", componentId(), subject, kind, overlap);
        }
    }

    void finish() {
        releaseWaiting();
        writer.insertNewUsers();
        for (SubjectRecord subject : subjects.values()) {
            ledgers.closingGapTimes(subject).forEach(opened -> gapsResolved.add(now - opened));
        }
        // The repair time on the rows in hand, before they are written: a bulk update by component and subject
        // is planned as a scan of every subject by PostgreSQL without statistics (a new replica's first full sync).
        logLines.forEach((name, lines) -> subjects.get(name).countLogLines(lines.size()));
        ledgers.save(componentId(), component.realmId(), subjects.values(), component.criticalAttributes(), now, repairing);
        for (SubjectRecord subject : subjects.values()) {
            if (subject.row() == null) {
                continue;
            }
            int sequence = 0;
            List<String> met = new ArrayList<>();
            for (LogLine line : logLines.getOrDefault(subject.subject(), List.of())) {
                eventLog.appendCounted(subject.row(), new EventLogLine(line.eventId(), line.type(), line.versions(), line.outcome().name(),
                        line.detail(), line.origin()), now, sequence++);
                if (line.fromStream()) {
                    met.add(line.eventId());
                }
            }
            if (!met.isEmpty()) {
                subject.row().setRecentEventIds(RecentEventIds.add(subject.row().getRecentEventIds(), met, RecentEventIds.KEEP));
            }
            List<ReplicaUnresolvedEntity> stored = storedUnresolved.computeIfAbsent(subject.row().getId(), id -> new ArrayList<>());
            if (!subject.ledger().live()) {
                // No user, nothing to grant: what it could not be granted is forgotten with the user.
                stored.stream().map(ReplicaUnresolvedEntity::getAttribute).distinct().toList()
                        .forEach(attribute -> unresolvedRows.set(subject.row(), attribute, List.of(), stored, now));
            } else {
                unresolved.getOrDefault(subject.subject(), Map.of())
                        .forEach((attribute, missing) -> unresolvedRows.set(subject.row(), attribute, missing, stored, now));
            }
            eventLog.prune(subject.row(), EVENT_LOG_LENGTH);
        }
    }

    void line(SubjectRecord subject, StreamEvent event, Outcome outcome, String detail, String origin) {
        if (subject == null) {
            return;
        }
        logLine(subject.subject(), new LogLine(event.envelope().id(), event.envelope().type().value(), StreamApplier.versions(event, null),
                outcome, detail, origin));
    }

    void logLine(String subject, LogLine line) {
        logLines.computeIfAbsent(subject, s -> new ArrayList<>()).add(line);
    }

    void reject(InboundRecord record, StreamEvent event, SubjectRecord subject, String reason) {
        boolean credentials = component.topics().mayCarrySecrets(record.topic());
        String eventId = event == null ? null : event.envelope().id();
        String type = event == null ? null : event.envelope().type().value();
        log.warnf("replica %s: dead-lettered record %s (key %s, event %s): %s", componentId(), record, LogSafe.escape(record.key(), 300),
                LogSafe.escape(eventId, 300), LogSafe.escape(reason, 2_000));
        DeadLetterRows.of(session).deadLetter(componentId(), component.realmId(), record.origin(), record.key(), eventId, type, reason,
                SecretRedaction.redact(record.value(), credentials), now);
        if (event != null) {
            line(subject, event, Outcome.REJECTED, reason, record.toString());
        }
        count(Outcome.REJECTED);
    }

    void count(Outcome outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    /** How many entitlements of a subject this batch found missing. */
    int stillUnresolved(String subject) {
        return unresolved.getOrDefault(subject, Map.of()).values().stream().mapToInt(List::size).sum();
    }

    StreamApplier.BatchResult result(List<io.github.keycloakreplica.store.PartitionPosition> positions) {
        Map<UserEffect, Long> counted = effects.values().stream().filter(Objects::nonNull)
                .collect(Collectors.groupingBy(e -> e, () -> new EnumMap<>(UserEffect.class), Collectors.counting()));
        return new StreamApplier.BatchResult(outcomes, positions, counted.getOrDefault(UserEffect.ADDED, 0L).intValue(),
                counted.getOrDefault(UserEffect.UPDATED, 0L).intValue(), counted.getOrDefault(UserEffect.REMOVED, 0L).intValue());
    }
}
