package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.sync.InboundRecord;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.sync.ReplicaMetrics;
import io.github.keycloakreplica.sync.StreamApplier;
import io.github.keycloakreplica.sync.TransientFailure;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The background loop of one replica component: poll the delta topics, apply each batch in one
 * database transaction together with the position it reached, repeat. It runs on its own thread, so
 * no Keycloak request ever waits for Kafka; when Kafka or the database is away it backs off and
 * tries again from the last committed position, losing nothing and applying nothing twice.
 */
final class StreamConsumer implements Runnable {

    private static final Logger log = Logger.getLogger(StreamConsumer.class);

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    /** How often the loop looks for gaps past their timeout and refreshes the gap gauges. */
    private static final long GAP_CHECK_MILLIS = 2_000;
    private static final int REPAIRS_PER_ROUND = 200;
    private static final int BOOTSTRAP_CHUNK = 100;
    /** Records applied in one database transaction, with the position they reached. */
    private static final int TRANSACTION_SIZE = 250;
    /** How often entitlements the realm did not have are looked for again. */
    private static final long RESOLVE_MILLIS = 10_000;

    private final String name;
    private final String componentId;
    private final List<String> topics;
    private final KeycloakSessionFactory sessionFactory;
    private final StreamApplier applier;
    private final Supplier<Consumer<byte[], byte[]>> clientFactory;
    private final SnapshotReader snapshots;
    private final Duration gapTimeout;
    private final ReplicaMetrics metrics;
    private final Set<TopicPartition> awaitingSeek = new HashSet<>();
    private long lastGapCheck;
    private long lastResolve = System.currentTimeMillis();
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> client;

    StreamConsumer(String name, String componentId, List<String> topics, KeycloakSessionFactory sessionFactory,
                   StreamApplier applier, Supplier<Consumer<byte[], byte[]>> clientFactory, SnapshotReader snapshots,
                   Duration gapTimeout, ReplicaMetrics metrics) {
        this.name = name;
        this.componentId = componentId;
        this.topics = topics;
        this.sessionFactory = sessionFactory;
        this.applier = applier;
        this.clientFactory = clientFactory;
        this.snapshots = snapshots;
        this.gapTimeout = gapTimeout;
        this.metrics = metrics;
    }

    /** Asks the loop to end; returns at once. The loop closes its Kafka client on its own thread. */
    void stop() {
        running = false;
        Consumer<byte[], byte[]> c = client;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        Consumer<byte[], byte[]> consumer;
        try {
            consumer = clientFactory.get();
        } catch (RuntimeException e) {
            log.errorf(e, "%s: cannot create the Kafka consumer; check the component's Kafka settings", name);
            return;
        }
        client = consumer;
        long backoff = 0;
        try {
            bootstrapIfNeeded(consumer);
            consumer.subscribe(topics, new Rebalance(consumer));
            log.infof("%s: following %s", name, topics);
            while (running) {
                try {
                    repairExpiredGaps();
                    resolveEntitlements();
                    seekAwaiting(consumer);
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL_TIMEOUT);
                    if (!polled.isEmpty()) {
                        applyBatch(consumer, polled);
                    }
                    backoff = 0;
                } catch (WakeupException e) {
                    // stop() was called; the loop condition ends it.
                } catch (RuntimeException e) {
                    backoff = backoff == 0 ? 1_000 : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                    log.warnf("%s: cannot apply right now (%s); retrying from the stored position in %d ms", name, describe(e), backoff);
                    log.debugf(e, "%s: the failure in full", name);
                    awaitingSeek.addAll(consumer.assignment());
                    sleep(backoff);
                }
            }
        } catch (RuntimeException e) {
            log.errorf(e, "%s: consumer stopped by an unexpected error; it restarts with the next reconciliation", name);
        } finally {
            client = null;
            try {
                consumer.close(CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.debugf(e, "%s: error while closing the Kafka consumer", name);
            }
            log.infof("%s: stopped", name);
        }
    }

    /**
     * A new replica, or one whose stored position fell out of the delta topics' retention, first reads the
     * compacted snapshot topics to their end and fast-forwards every subject; then it follows the deltas
     * from where it was (or from their start), and versions drop what the snapshots already covered.
     */
    private void bootstrapIfNeeded(Consumer<byte[], byte[]> consumer) {
        while (running) {
            try {
                List<TopicPartition> deltas = new ArrayList<>();
                for (String topic : topics) {
                    List<org.apache.kafka.common.PartitionInfo> infos = consumer.partitionsFor(topic);
                    if (infos != null) {
                        infos.forEach(info -> deltas.add(new TopicPartition(topic, info.partition())));
                    }
                }
                Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(deltas);
                List<PartitionPosition> stored = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                        session -> ReplicaStore.of(session).positions(componentId));
                Map<TopicPartition, Long> positions = new HashMap<>();
                stored.forEach(p -> positions.put(new TopicPartition(p.topic(), p.partition()), p.nextOffset()));
                List<TopicPartition> overtaken = deltas.stream()
                        .filter(p -> positions.containsKey(p) && positions.get(p) < beginnings.getOrDefault(p, 0L)).toList();
                if (!stored.isEmpty() && overtaken.isEmpty()) {
                    return;
                }
                String why = stored.isEmpty() ? "new replica" : "stored position of " + overtaken + " is gone from the topic's retention";
                log.infof("%s: bootstrapping from the snapshot topics (%s)", name, why);
                int[] subjects = {0};
                snapshots.readAll(BOOTSTRAP_CHUNK, chunk -> {
                    KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.repair(session, chunk, "bootstrap: " + why));
                    subjects[0] += chunk.size();
                }, this::deadLetterSnapshot);
                // Mark the start of every delta partition not yet positioned, so a restart does not bootstrap again.
                List<PartitionPosition> start = deltas.stream()
                        .filter(p -> !positions.containsKey(p) || overtaken.contains(p))
                        .map(p -> new PartitionPosition(p.topic(), p.partition(), beginnings.getOrDefault(p, 0L)))
                        .toList();
                KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.savePositions(session, start));
                log.infof("%s: bootstrapped %d snapshot subjects", name, subjects[0]);
                return;
            } catch (RuntimeException e) {
                log.warnf("%s: cannot bootstrap from the snapshot topics right now (%s); retrying in %d ms", name, describe(e), MAX_BACKOFF_MILLIS / 6);
                log.debugf(e, "%s: the failure in full", name);
                sleep(MAX_BACKOFF_MILLIS / 6);
            }
        }
    }

    /**
     * Gaps normally close in moments, when the events in between arrive. One still open after the gap
     * timeout means an event was lost: the subject is repaired from its snapshot. Subjects waiting for a
     * username get it here too once nobody holds it any more (the holder let go of it in a transaction
     * that could not see them waiting).
     */
    private void repairExpiredGaps() {
        long now = System.currentTimeMillis();
        if (now - lastGapCheck < GAP_CHECK_MILLIS) {
            return;
        }
        lastGapCheck = now;
        List<String> expired = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            ReplicaStore store = ReplicaStore.of(session);
            List<String> due = new ArrayList<>(store.subjectsWithGapsSince(componentId, now - gapTimeout.toMillis(), REPAIRS_PER_ROUND));
            // A subject still waiting for a username past the timeout: the holder's rename or deletion was lost,
            // so the holder is repaired with it (and lets go of the name in the same transaction).
            store.parkedHolders(componentId, due).stream().filter(holder -> !due.contains(holder)).forEach(due::add);
            return due;
        });
        if (!expired.isEmpty()) {
            Map<String, List<StreamEvent>> found = snapshots.read(new HashSet<>(expired), this::deadLetterSnapshot);
            Map<String, List<StreamEvent>> repairs = new java.util.LinkedHashMap<>();
            expired.forEach(subject -> repairs.put(subject, found.getOrDefault(subject, List.of())));
            KeycloakModelUtils.runJobInTransaction(sessionFactory,
                    session -> applier.repair(session, repairs, "gap open longer than the gap timeout (" + gapTimeout.toSeconds() + " s)"));
            List<String> missing = expired.stream().filter(s -> !found.containsKey(s)).toList();
            if (!missing.isEmpty()) {
                log.warnf("%s: no snapshot record for %d subject(s) with gaps past the timeout (%s); trying again after another timeout",
                        name, missing.size(), String.join(", ", missing.subList(0, Math.min(5, missing.size()))));
            }
        }
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.retryParked(session, REPAIRS_PER_ROUND));
        long[] gaps = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> ReplicaStore.of(session).gapSummary(componentId));
        metrics.gaps(gaps[0], gaps.length > 1 ? gaps[1] : null);
    }

    /** Roles, client roles and groups the upstream named before this realm had them are granted once it does. */
    private void resolveEntitlements() {
        long now = System.currentTimeMillis();
        if (now - lastResolve < RESOLVE_MILLIS) {
            return;
        }
        lastResolve = now;
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.resolveEntitlements(session));
    }

    private void deadLetterSnapshot(InboundRecord record, String reason) {
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.deadLetterSnapshot(session, record, reason));
    }

    private void applyBatch(Consumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> polled) {
        List<InboundRecord> records = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            records.add(new InboundRecord(r.topic(), r.partition(), r.offset(), r.key() == null ? null : new String(r.key(),
                    java.nio.charset.StandardCharsets.UTF_8), r.value()));
        }
        // One transaction per chunk, not per poll: a batch that fails is applied again one record at a
        // time, and a smaller chunk bounds that work and the locks a transaction holds.
        for (int from = 0; from < records.size(); from += TRANSACTION_SIZE) {
            applyChunk(consumer, records.subList(from, Math.min(records.size(), from + TRANSACTION_SIZE)));
        }
    }

    private void applyChunk(Consumer<byte[], byte[]> consumer, List<InboundRecord> batch) {
        StreamApplier.BatchResult result;
        try {
            result = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> applier.apply(session, batch));
        } catch (RuntimeException batchFailure) {
            if (TransientFailure.isTransient(batchFailure)) {
                throw batchFailure;
            }
            // Something no check foresaw: find the record by applying one at a time, each in its own
            // transaction, and dead-letter only that one.
            metrics.batchFallback();
            log.warnf(batchFailure, "%s: a batch of %d records failed; applying them one by one", name, batch.size());
            for (InboundRecord record : batch) {
                applyAlone(record);
            }
            commitCopy(consumer, lastPositions(batch));
            return;
        }
        if (log.isDebugEnabled()) {
            log.debugf("%s: applied batch of %d records: %s", name, batch.size(), result.outcomes());
        }
        commitCopy(consumer, result.positions());
    }

    /**
     * A record becomes a dead letter only when applying it failed twice, in two transactions, for a
     * reason that is not the infrastructure's. Otherwise the failure leaves the loop, which backs off
     * and re-reads from the stored position: a database restart delays records, it never drops one.
     */
    private void applyAlone(InboundRecord record) {
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.apply(session, List.of(record)));
                return;
            } catch (RuntimeException e) {
                if (TransientFailure.isTransient(e)) {
                    throw e;
                }
                failure = e;
            }
        }
        String reason = "Applying the event failed: " + describe(failure);
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.deadLetter(session, record, reason));
    }

    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return root.getClass().getSimpleName() + message;
    }

    private static List<PartitionPosition> lastPositions(List<InboundRecord> batch) {
        Map<String, PartitionPosition> last = new HashMap<>();
        batch.forEach(r -> last.put(r.topic() + "#" + r.partition(), new PartitionPosition(r.topic(), r.partition(), r.offset() + 1)));
        return new ArrayList<>(last.values());
    }

    /** Kafka's committed offsets are a copy for monitoring tools; the database holds the real position. */
    private void commitCopy(Consumer<byte[], byte[]> consumer, Collection<PartitionPosition> positions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        positions.forEach(p -> offsets.put(new TopicPartition(p.topic(), p.partition()), new OffsetAndMetadata(p.nextOffset())));
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error != null) {
                log.debugf("%s: could not copy positions to Kafka (%s); the stored positions are unaffected", name, error.getMessage());
            }
        });
    }

    private void seekAwaiting(Consumer<byte[], byte[]> consumer) {
        awaitingSeek.retainAll(consumer.assignment());
        if (awaitingSeek.isEmpty()) {
            return;
        }
        List<PartitionPosition> stored = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> ReplicaStore.of(session).positions(componentId));
        Map<TopicPartition, Long> byPartition = new HashMap<>();
        stored.forEach(p -> byPartition.put(new TopicPartition(p.topic(), p.partition()), p.nextOffset()));
        List<TopicPartition> fromStart = new ArrayList<>();
        for (TopicPartition partition : awaitingSeek) {
            Long next = byPartition.get(partition);
            if (next == null) {
                fromStart.add(partition);
            } else {
                consumer.seek(partition, next);
            }
        }
        if (!fromStart.isEmpty()) {
            consumer.seekToBeginning(fromStart);
        }
        consumer.resume(awaitingSeek);
        log.debugf("%s: positioned %s from the database", name, awaitingSeek);
        awaitingSeek.clear();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** New partitions start where the database says, never where Kafka's committed offsets say. */
    private final class Rebalance implements ConsumerRebalanceListener {

        private final Consumer<byte[], byte[]> consumer;

        Rebalance(Consumer<byte[], byte[]> consumer) {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            // Paused until positioned: the loop seeks them from the database before the next poll.
            consumer.pause(partitions);
            awaitingSeek.addAll(partitions);
            log.infof("%s: assigned %s", name, partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            awaitingSeek.removeAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            awaitingSeek.removeAll(partitions);
        }
    }
}
