package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.EntitlementResolution;
import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.apply.ReplicaMetrics;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.apply.TransientFailure;
import io.github.keycloakreplica.store.DeadLetterRetention;
import io.github.keycloakreplica.store.DeadLetterRows;
import io.github.keycloakreplica.store.GapRows;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.stream.StreamEvent;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the consumer's loop does between polls, each on its own clock: repairs subjects whose gap outlived
 * the gap timeout, gives waiting subjects a username that became free, grants entitlements the realm has
 * by now, drops expired dead letters. Each step's failure stays its own: a failure of the infrastructure
 * leaves for the loop to wait out as a stall, any other is logged (once while it repeats) and the
 * stream goes on — a subject the database refuses is dead-lettered by {@link SnapshotRepairs}.
 */
final class PeriodicMaintenance {

    private static final Logger log = Logger.getLogger(PeriodicMaintenance.class);

    /** How often the loop looks for gaps past their timeout and refreshes the gap gauges. */
    private static final long GAP_CHECK_MILLIS = 2_000;
    private static final int REPAIRS_PER_ROUND = 200;
    /** How often entitlements the realm did not have are looked for again. */
    private static final long RESOLVE_MILLIS = 10_000;
    private static final long PRUNE_MILLIS = Duration.ofMinutes(10).toMillis();
    /** A failing step is logged again after this long even when it fails the same way. */
    private static final long REPEAT_LOG_MILLIS = Duration.ofMinutes(10).toMillis();

    private final String name;
    private final String componentId;
    private final KeycloakSessionFactory sessionFactory;
    private final StreamApplier applier;
    private final EntitlementResolution entitlements;
    private final SnapshotReader snapshots;
    private final SnapshotRepairs repairs;
    private final Duration gapTimeout;
    private final DeadLetterRetention retention;
    private final ReplicaMetrics metrics;
    private final Map<String, String> lastFailure = new HashMap<>();
    private final Map<String, Long> lastFailureLogged = new HashMap<>();
    private long lastGapCheck;
    private long lastResolve = System.currentTimeMillis();
    private long lastPrune;

    PeriodicMaintenance(String name, String componentId, KeycloakSessionFactory sessionFactory, StreamApplier applier,
                        EntitlementResolution entitlements, SnapshotReader snapshots, Duration gapTimeout, DeadLetterRetention retention,
                        ReplicaMetrics metrics) {
        this.name = name;
        this.componentId = componentId;
        this.sessionFactory = sessionFactory;
        this.applier = applier;
        this.entitlements = entitlements;
        this.snapshots = snapshots;
        this.repairs = new SnapshotRepairs(name, sessionFactory, applier);
        this.gapTimeout = gapTimeout;
        this.retention = retention;
        this.metrics = metrics;
    }

    /** Runs the steps that are due; a transient failure leaves for the caller to wait out. */
    void runDue() {
        long now = System.currentTimeMillis();
        if (now - lastGapCheck >= GAP_CHECK_MILLIS) {
            lastGapCheck = now;
            step("gap repair", () -> repairExpiredGaps(now));
            step("username hand-over", () -> KeycloakModelUtils.runJobInTransaction(sessionFactory,
                    session -> applier.retryParked(session, REPAIRS_PER_ROUND)));
            step("gap gauges", () -> {
                long[] gaps = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                        session -> GapRows.of(session).summary(componentId));
                metrics.gaps(gaps[0], gaps.length > 1 ? gaps[1] : null);
            });
        }
        if (now - lastResolve >= RESOLVE_MILLIS) {
            lastResolve = now;
            step("entitlement resolution", () -> KeycloakModelUtils.runJobInTransaction(sessionFactory,
                    session -> entitlements.resolve(session)));
        }
        if (now - lastPrune >= PRUNE_MILLIS) {
            lastPrune = now;
            step("dead-letter retention", () -> {
                int dropped = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> DeadLetterRows.of(session)
                        .pruneDeadLetters(componentId, now - retention.age().toMillis(), retention.count()));
                if (dropped > 0) {
                    log.infof("%s: dropped %d dead letter(s) past the retention (%d days, %d kept at most)", name, dropped,
                            retention.age().toDays(), retention.count());
                }
            });
        }
    }

    private void step(String what, Runnable work) {
        try {
            work.run();
            lastFailure.remove(what);
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                throw e;
            }
            String text = FailureText.of(e);
            long now = System.currentTimeMillis();
            if (!text.equals(lastFailure.get(what)) || now - lastFailureLogged.getOrDefault(what, 0L) >= REPEAT_LOG_MILLIS) {
                log.warnf(e, "%s: %s failed (%s); the stream goes on, and it is tried again on its next round", name, what, text);
                lastFailureLogged.put(what, now);
            }
            lastFailure.put(what, text);
        }
    }

    /**
     * Gaps normally close in moments, when the events in between arrive. One still open after the gap
     * timeout means an event was lost: the subject is repaired from its snapshot. A subject still waiting
     * for a username past the timeout means the holder's rename or deletion was lost, so the holder is
     * repaired with it (and lets go of the name in the same transaction).
     */
    private void repairExpiredGaps(long now) {
        List<String> expired = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            List<String> due = new ArrayList<>(GapRows.of(session).subjectsWithGapsSince(componentId, now - gapTimeout.toMillis(),
                    REPAIRS_PER_ROUND));
            SubjectRows.of(session).parkedHolders(componentId, due).stream().filter(holder -> !due.contains(holder)).forEach(due::add);
            return due;
        });
        if (expired.isEmpty()) {
            return;
        }
        Map<String, List<StreamEvent>> found = snapshots.read(new HashSet<>(expired), (record, reason) ->
                KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.deadLetterSnapshot(session, record, reason)));
        Map<String, List<StreamEvent>> chunk = new LinkedHashMap<>();
        expired.forEach(subject -> chunk.put(subject, found.getOrDefault(subject, List.of())));
        repairs.repair(chunk, "gap open longer than the gap timeout (" + gapTimeout.toSeconds() + " s)");
        List<String> missing = expired.stream().filter(s -> !found.containsKey(s)).toList();
        if (!missing.isEmpty()) {
            log.warnf("%s: no snapshot record for %d subject(s) with gaps past the timeout (%s); trying again after another timeout",
                    name, missing.size(), String.join(", ", missing.subList(0, Math.min(5, missing.size()))));
        }
    }
}
