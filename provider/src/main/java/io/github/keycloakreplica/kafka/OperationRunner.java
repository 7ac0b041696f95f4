package io.github.keycloakreplica.kafka;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.apply.OrphanReconciliation;
import io.github.keycloakreplica.apply.OrphanReconciliation.Orphan;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.apply.TransientFailure;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.store.OperationRows;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.sync.OperationKind;
import io.github.keycloakreplica.sync.OperationState;
import io.github.keycloakreplica.sync.OrphanScope;
import io.github.keycloakreplica.sync.RetryPolicy;
import io.github.keycloakreplica.sync.TargetedScope;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.storage.UserStoragePrivateUtil;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the sync operations of the components this node runs, one at a time, on a thread of its own:
 * picks the due ones, claims each with one conditional update (so across the nodes of a site an
 * operation runs once), works in transactions of its own that also record progress and renew the lease,
 * and on failure queues the operation again after a backoff, up to its last attempt.
 */
final class OperationRunner {

    private static final Logger log = Logger.getLogger(OperationRunner.class);
    /** How long a claim holds without renewal; a node that dies mid-operation loses it after this. */
    static final Duration LEASE = Duration.ofSeconds(90);
    /** Subjects per transaction of a full sync. */
    static final int FULL_SYNC_CHUNK = 500;
    /**
     * Transactions a full sync runs at once: while one waits for the database, another works. Two keep a
     * small server's cores busy; more mostly add contention.
     */
    static final int FULL_SYNC_WORKERS = 2;
    private static final int MAX_ERROR_LENGTH = 2000;

    /** What the runner needs of a component this node runs. */
    record Component(String name, String componentId, SnapshotReader snapshots, StreamApplier applier, OrphanReconciliation orphans) {
    }

    private final KeycloakSessionFactory sessionFactory;
    private final String node;
    private final Supplier<Map<String, Component>> components;
    private final RetryPolicy retries;

    OperationRunner(KeycloakSessionFactory sessionFactory, String node, Supplier<Map<String, Component>> components, RetryPolicy retries) {
        this.sessionFactory = sessionFactory;
        this.node = node;
        this.components = components;
        this.retries = retries;
    }

    /** Runs every operation that is due now; called again and again on the runner's thread. */
    void runDue() {
        Map<String, Component> running = components.get();
        if (running.isEmpty()) {
            return;
        }
        Collection<String> componentIds = running.keySet();
        List<String> due = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> OperationRows.of(session).due(componentIds, System.currentTimeMillis()));
        for (String id : due) {
            long now = System.currentTimeMillis();
            boolean claimed = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                    session -> OperationRows.of(session).claim(id, node, now + LEASE.toMillis(), now));
            if (claimed) {
                run(id, running);
            }
        }
    }

    private void run(String id, Map<String, Component> running) {
        ReplicaOperationEntity operation = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> OperationRows.of(session).find(id).orElse(null));
        if (operation == null) {
            return;
        }
        Component component = running.get(operation.getComponentId());
        if (component == null) {
            // The component stopped here since the operation was claimed: back to the queue for whichever node runs it.
            update(id, o -> {
                o.setState(OperationState.QUEUED.name());
                o.setLeaseUntil(null);
                o.setAttempts(Math.max(0, o.getAttempts() - 1));
            });
            return;
        }
        log.infof("%s: operation %s (%s, requested by %s%s) started, attempt %d", component.name(), id, operation.getKind(),
                operation.getRequestedBy(), operation.getReason() == null ? "" : ": " + operation.getReason(), operation.getAttempts());
        try {
            switch (OperationKind.of(operation.getKind())) {
                case FULL -> fullSync(id, component);
                case TARGETED -> targetedSync(id, component, TargetedScope.read(operation.getScope()));
                case ORPHANS -> orphans(id, operation.getRealmId(), component, OrphanScope.read(operation.getScope()));
            }
            ReplicaOperationEntity done = update(id, o -> {
                o.setState(OperationState.SUCCEEDED.name());
                o.setEndedAt(System.currentTimeMillis());
                o.setLeaseUntil(null);
            });
            log.infof("%s: operation %s (%s) succeeded in %d ms: %d subjects, %d users added, %d updated, %d removed, %d failed",
                    component.name(), id, operation.getKind(), done.getEndedAt() - done.getStartedAt(), done.getProcessed(),
                    done.getAdded(), done.getUpdated(), done.getRemoved(), done.getFailed());
        } catch (RuntimeException e) {
            String error = FailureText.of(e);
            ReplicaOperationEntity failed = update(id, o -> {
                Duration backoff = retries.backoffAfter(o.getAttempts());
                o.setLastError(error.length() > MAX_ERROR_LENGTH ? error.substring(0, MAX_ERROR_LENGTH) : error);
                o.setLeaseUntil(null);
                if (backoff == null) {
                    o.setState(OperationState.FAILED.name());
                    o.setEndedAt(System.currentTimeMillis());
                } else {
                    o.setState(OperationState.QUEUED.name());
                    o.setNextAttemptAt(System.currentTimeMillis() + backoff.toMillis());
                }
            });
            log.warnf(e, "%s: operation %s (%s) failed on attempt %d: %s; %s", component.name(), id, operation.getKind(),
                    failed.getAttempts(), error, OperationState.FAILED.name().equals(failed.getState())
                            ? "no attempts left" : "tried again at " + Instant.ofEpochMilli(failed.getNextAttemptAt()));
        }
    }

    /**
     * Reads both snapshot topics up to their ends at the start, and fast-forwards every subject found
     * there, one transaction per chunk; each transaction also records the progress and renews the claim.
     */
    private void fullSync(String id, Component component) {
        update(id, o -> {
            o.setProcessed(0);
            o.setAdded(0);
            o.setUpdated(0);
            o.setRemoved(0);
            o.setFailed(0);
        });
        try (ChunkWorkers workers = new ChunkWorkers(component.name() + "-full-sync", FULL_SYNC_WORKERS)) {
            SnapshotRepairs repairs = new SnapshotRepairs(component.name(), sessionFactory, component.applier());
            String why = "full sync " + id;
            // Trusting the realm's unique key on usernames first; when it refuses one, the same subjects with every
            // username looked up, so that only the subject whose username is taken is rejected; then each alone.
            List<SnapshotRepairs.Attempt> attempts = List.of(
                    (session, chunk) -> component.applier().repairTrustingUniqueUsernames(session, chunk, why),
                    repairs.careful(why));
            component.snapshots().readAll(FULL_SYNC_CHUNK, chunk -> workers.submit(() -> {
                repairs.repair(chunk, attempts, why, (session, result) -> OperationRows.of(session).addProgress(id, 0,
                        result.added(), result.updated(), result.removed(), result.count(Outcome.REJECTED),
                        System.currentTimeMillis() + LEASE.toMillis()));
                KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> OperationRows.of(session).addProgress(id, chunk.size(),
                        0, 0, 0, 0, System.currentTimeMillis() + LEASE.toMillis()));
            }), (record, reason) -> KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
                component.applier().deadLetterSnapshot(session, record, reason);
                OperationRows.of(session).addProgress(id, 0, 0, 0, 0, 1, System.currentTimeMillis() + LEASE.toMillis());
            }));
            workers.awaitAll();
        }
    }

    /**
     * Reads the snapshot records of the named subjects (in the partitions the default partitioner gives
     * them first) and fast-forwards them, in one transaction. A subject the snapshot topics do not hold
     * counts as failed and is named in the operation's last error.
     */
    private void targetedSync(String id, Component component, List<String> subjects) {
        Map<String, List<StreamEvent>> found = component.snapshots().read(new LinkedHashSet<>(subjects),
                (record, reason) -> KeycloakModelUtils.runJobInTransaction(sessionFactory,
                        session -> component.applier().deadLetterSnapshot(session, record, reason)));
        List<String> missing = subjects.stream().filter(s -> !found.containsKey(s)).toList();
        StreamApplier.BatchResult result = found.isEmpty() ? null
                : new SnapshotRepairs(component.name(), sessionFactory, component.applier()).repair(found, "targeted sync " + id);
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
            OperationRows.of(session).find(id).ifPresent(o -> {
                o.setProcessed(subjects.size());
                if (result != null) {
                    o.setAdded(result.added());
                    o.setUpdated(result.updated());
                    o.setRemoved(result.removed());
                }
                o.setFailed(missing.size() + (result == null ? 0 : result.count(Outcome.REJECTED)));
                if (!missing.isEmpty()) {
                    o.setLastError("The snapshot topics hold no record of " + missing.size() + " subject(s): "
                            + String.join(", ", missing.subList(0, Math.min(missing.size(), 20))) + (missing.size() > 20 ? ", …" : ""));
                }
            });
        });
    }

    /** How many orphans an operation's result names; the counts cover them all. */
    static final int LISTED_ORPHANS = 1_000;

    /**
     * Reads both snapshot topics completely and takes every live subject of the component they do not
     * hold for an orphan; lists them, and unless it is a dry run, disables or removes their users, in
     * transactions of 200. A read that is not complete (a missing topic) or finds nothing acts on no one.
     */
    private void orphans(String id, String realmId, Component component, OrphanScope scope) {
        Set<String> present = new HashSet<>();
        boolean complete = component.snapshots().readAll(5_000, chunk -> present.addAll(chunk.keySet()),
                (record, reason) -> KeycloakModelUtils.runJobInTransaction(sessionFactory,
                        session -> component.applier().deadLetterSnapshot(session, record, reason)));
        if (!complete) {
            throw new IllegalStateException("a snapshot topic is missing: an incomplete read proves nobody an orphan; nothing was done");
        }
        if (present.isEmpty()) {
            throw new IllegalStateException("the snapshot topics hold no records: an empty read proves nobody an orphan; nothing was done");
        }
        List<String> live = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> SubjectRows.of(session).live(component.componentId()));
        List<String> orphans = live.stream().filter(s -> !present.contains(s)).toList();
        List<Orphan> named = new ArrayList<>();
        for (int from = 0; from < orphans.size(); from += 200) {
            named.addAll(orphanChunk(id, realmId, component, scope, orphans.subList(from, Math.min(orphans.size(), from + 200))));
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("action", scope.action()).put("dryRun", scope.dryRun()).put("orphans", orphans.size())
                .put("snapshotSubjects", present.size()).put("liveSubjects", live.size());
        ArrayNode list = result.putArray("listed");
        named.stream().limit(LISTED_ORPHANS).forEach(o -> list.addObject().put("subject", o.subject()).put("userId", o.userId())
                .put("username", o.username()));
        update(id, o -> {
            o.setProcessed(live.size());
            o.setResult(result.toString());
        });
    }

    /**
     * Acts on up to 200 orphans in one transaction; when that fails for a reason that is not the
     * infrastructure's, on each alone, so one user the database will not remove or disable is counted as
     * failed (and named in the log) instead of failing the sweep.
     */
    private List<Orphan> orphanChunk(String id, String realmId, Component component, OrphanScope scope, List<String> chunk) {
        try {
            return orphanTransaction(id, realmId, component, scope, chunk);
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e) || chunk.size() == 1) {
                throw e;
            }
        }
        List<Orphan> done = new ArrayList<>();
        for (String subject : chunk) {
            try {
                done.addAll(orphanTransaction(id, realmId, component, scope, List.of(subject)));
            } catch (RuntimeException e) {
                if (TransientFailure.isTransient(e)) {
                    throw e;
                }
                log.warnf(e, "%s: operation %s could not act on orphan subject %s: %s", component.name(), id,
                        LogSafe.escape(subject), FailureText.of(e));
                update(id, o -> o.setFailed(o.getFailed() + 1));
            }
        }
        return done;
    }

    private List<Orphan> orphanTransaction(String id, String realmId, Component component, OrphanScope scope, List<String> chunk) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            if (scope.dryRun()) {
                RealmModel realm = session.realms().getRealm(realmId);
                return chunk.stream().map(subject -> {
                    String userId = SubjectIds.userId(subject);
                    UserModel user = UserStoragePrivateUtil.userLocalStorage(session).getUserById(realm, userId);
                    return new Orphan(subject, userId, user == null ? null : user.getUsername());
                }).toList();
            }
            List<Orphan> acted = component.orphans().reconcile(session, chunk, scope.remove(),
                    "orphan reconciliation " + id + ": no record in the snapshot topics");
            OperationRows.of(session).find(id).ifPresent(o -> {
                if (scope.remove()) {
                    o.setRemoved(o.getRemoved() + acted.size());
                } else {
                    o.setUpdated(o.getUpdated() + acted.size());
                }
                o.setLeaseUntil(System.currentTimeMillis() + LEASE.toMillis());
            });
            return acted;
        });
    }

    private ReplicaOperationEntity update(String id, Consumer<ReplicaOperationEntity> change) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            ReplicaOperationEntity operation = OperationRows.of(session).find(id)
                    .orElseThrow(() -> new IllegalStateException("operation " + id + " is gone"));
            change.accept(operation);
            return operation;
        });
    }
}
