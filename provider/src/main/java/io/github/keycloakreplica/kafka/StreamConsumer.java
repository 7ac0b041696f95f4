package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.ApplyStall;
import io.github.keycloakreplica.apply.EntitlementResolution;
import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.apply.InboundRecord;
import io.github.keycloakreplica.apply.ReplicaMetrics;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.apply.TransientFailure;
import io.github.keycloakreplica.store.DeadLetterRetention;
import io.github.keycloakreplica.store.PartitionPosition;
import io.github.keycloakreplica.store.PositionRows;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final int BOOTSTRAP_CHUNK = 100;
    /** Records applied in one database transaction, with the position they reached. */
    private static final int TRANSACTION_SIZE = 250;
    /** While a stall lasts, the log says so again this often. */
    private static final Duration STALL_REMINDER = Duration.ofMinutes(5);

    private final String name;
    private final String componentId;
    private final List<String> topics;
    private final KeycloakSessionFactory sessionFactory;
    private final StreamApplier applier;
    private final Supplier<Consumer<byte[], byte[]>> clientFactory;
    private final SnapshotReader snapshots;
    private final SnapshotRepairs repairs;
    private final PeriodicMaintenance maintenance;
    private final ReplicaMetrics metrics;
    private final ApplyStall stall;
    private final Set<TopicPartition> awaitingSeek = new HashSet<>();
    /** What the loop is doing, for the stall line: a record's place, or a step of maintenance. */
    private String working = "start";
    private Instant lastStallLine = Instant.EPOCH;
    private final KafkaClientThread thread;

    StreamConsumer(String name, String componentId, List<String> topics, KeycloakSessionFactory sessionFactory,
                   StreamApplier applier, EntitlementResolution entitlements, Supplier<Consumer<byte[], byte[]>> clientFactory,
                   SnapshotReader snapshots, Duration gapTimeout, DeadLetterRetention retention, ReplicaMetrics metrics) {
        this.name = name;
        this.thread = new KafkaClientThread(name, log);
        this.componentId = componentId;
        this.topics = topics;
        this.sessionFactory = sessionFactory;
        this.applier = applier;
        this.clientFactory = clientFactory;
        this.snapshots = snapshots;
        this.repairs = new SnapshotRepairs(name, sessionFactory, applier);
        this.maintenance = new PeriodicMaintenance(name, componentId, sessionFactory, applier, entitlements, snapshots, gapTimeout,
                retention, metrics);
        this.metrics = metrics;
        this.stall = metrics.stall();
    }

    /** Asks the loop to end; returns at once. The loop closes its Kafka client on its own thread. */
    void stop() {
        thread.stop();
    }

    @Override
    public void run() {
        thread.run(clientFactory, "cannot create the Kafka consumer; check the component's Kafka settings", "Kafka consumer", this::follow);
        log.infof("%s: stopped", name);
    }

    private void follow(Consumer<byte[], byte[]> consumer) {
        long backoff = 0;
        try {
            bootstrapIfNeeded(consumer);
            consumer.subscribe(topics, new Rebalance(consumer));
            log.infof("%s: following %s", name, topics);
            while (thread.running()) {
                try {
                    working = "maintenance";
                    maintenance.runDue();
                    working = "positioning";
                    seekAwaiting(consumer);
                    working = "polling";
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL_TIMEOUT);
                    if (!polled.isEmpty()) {
                        applyBatch(consumer, polled);
                    }
                    resumed();
                    backoff = 0;
                } catch (WakeupException e) {
                    // stop() was called; the loop condition ends it.
                } catch (RuntimeException e) {
                    backoff = backoff == 0 ? 1_000 : Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
                    stalled(e, backoff);
                    awaitingSeek.addAll(consumer.assignment());
                    KafkaClientThread.sleep(backoff);
                }
            }
        } catch (RuntimeException e) {
            log.errorf(e, "%s: consumer stopped by an unexpected error; it restarts with the next reconciliation", name);
        }
    }

    /**
     * A new replica, or one whose stored position fell out of the delta topics' retention, first reads the
     * compacted snapshot topics to their end and fast-forwards every subject; then it follows the deltas
     * from where it was (or from their start), and versions drop what the snapshots already covered.
     */
    private void bootstrapIfNeeded(Consumer<byte[], byte[]> consumer) {
        while (thread.running()) {
            try {
                List<TopicPartition> deltas = new ArrayList<>();
                for (String topic : topics) {
                    List<PartitionInfo> infos = consumer.partitionsFor(topic);
                    if (infos != null) {
                        infos.forEach(info -> deltas.add(new TopicPartition(topic, info.partition())));
                    }
                }
                Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(deltas);
                List<PartitionPosition> stored = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                        session -> PositionRows.of(session).read(componentId));
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
                    working = "bootstrap, after " + subjects[0] + " snapshot subjects";
                    repairs.repair(chunk, "bootstrap: " + why);
                    subjects[0] += chunk.size();
                }, this::deadLetterSnapshot);
                // Mark the start of every delta partition not yet positioned, so a restart does not bootstrap again.
                List<PartitionPosition> start = deltas.stream()
                        .filter(p -> !positions.containsKey(p) || overtaken.contains(p))
                        .map(p -> new PartitionPosition(p.topic(), p.partition(), beginnings.getOrDefault(p, 0L)))
                        .toList();
                KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.savePositions(session, start));
                log.infof("%s: bootstrapped %d snapshot subjects", name, subjects[0]);
                resumed();
                return;
            } catch (RuntimeException e) {
                stalled(e, MAX_BACKOFF_MILLIS / 6);
                KafkaClientThread.sleep(MAX_BACKOFF_MILLIS / 6);
            }
        }
    }

    private void deadLetterSnapshot(InboundRecord record, String reason) {
        KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.deadLetterSnapshot(session, record, reason));
    }

    private void applyBatch(Consumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> polled) {
        List<InboundRecord> records = new ArrayList<>(polled.count());
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            records.add(new InboundRecord(r.topic(), r.partition(), r.offset(), r.key() == null ? null : new String(r.key(),
                    StandardCharsets.UTF_8), r.value()));
        }
        // One transaction per chunk, not per poll: a batch that fails is applied again one record at a
        // time, and a smaller chunk bounds that work and the locks a transaction holds.
        for (int from = 0; from < records.size(); from += TRANSACTION_SIZE) {
            applyChunk(consumer, records.subList(from, Math.min(records.size(), from + TRANSACTION_SIZE)));
        }
    }

    private void applyChunk(Consumer<byte[], byte[]> consumer, List<InboundRecord> batch) {
        working = batch.get(0).toString();
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
        working = record.toString();
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
        String reason = "Applying the event failed: " + FailureText.of(failure);
        try {
            KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.deadLetter(session, record, reason));
        } catch (RuntimeException e) {
            if (TransientFailure.isTransient(e)) {
                throw e;
            }
            // Even the record's dead letter was refused (what it carries cannot be stored): keep only where it
            // was and why, and move on. Should that fail too, the loop's stall line names the record.
            log.errorf(e, "%s: the dead letter of record %s could not be stored; keeping only its place, size and hash", name, record);
            KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> applier.deadLetterBare(session, record,
                    reason + "; the record itself could not be stored (" + FailureText.of(e) + ")"));
        }
    }

    /**
     * The loop could not go on: the infrastructure failed (waited out: one line when the stall begins and a
     * reminder every few minutes), or something no check foresaw did (a defect: logged in full each time).
     */
    private void stalled(RuntimeException e, long retryMillis) {
        Instant now = Instant.now();
        boolean infrastructure = TransientFailure.isTransient(e);
        ApplyStall.Stalled current = stall.failed(working, FailureText.of(e), now);
        if (!infrastructure) {
            log.errorf(e, "%s: %s; this is not a failure of the infrastructure and no record could be blamed for it: "
                    + "please report it. Retrying from the stored position in %d ms", name, current, retryMillis);
        } else if (current.attempts() == 1 || Duration.between(lastStallLine, now).compareTo(STALL_REMINDER) >= 0) {
            log.warnf("%s: %s (%d attempts so far); waiting it out, retrying from the stored position with back-off: "
                    + "nothing is skipped or dead-lettered meanwhile, and nothing the upstream says reaches this site", name, current,
                    current.attempts());
            lastStallLine = now;
        } else {
            log.debugf(e, "%s: still stalled, retrying in %d ms", name, retryMillis);
        }
    }

    private void resumed() {
        stall.recovered().ifPresent(ended -> {
            log.infof("%s: apply resumed after a stall of %d s at %s (%d attempts)", name, ended.lasting(Instant.now()).toSeconds(),
                    ended.at(), ended.attempts());
            lastStallLine = Instant.EPOCH;
        });
    }

    private static List<PartitionPosition> lastPositions(List<InboundRecord> batch) {
        Map<String, PartitionPosition> last = new HashMap<>();
        batch.stream().map(r -> PartitionPosition.after(r.topic(), r.partition(), r.offset())).forEach(p -> last.put(p.key(), p));
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
                session -> PositionRows.of(session).read(componentId));
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
