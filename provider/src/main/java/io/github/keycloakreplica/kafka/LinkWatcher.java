package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.apply.InboundRecord;
import io.github.keycloakreplica.apply.ReplicaMetrics;
import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkTick;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.stream.Heartbeat;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.StreamCodec;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Watches one component's link on its own thread: reads the upstream's heartbeats from the end of the
 * heartbeat topic (a Kafka client of its own, in no consumer group, so every node of a site reads every
 * heartbeat), notes whether the broker answers, and twice a second takes a look at the link under the
 * link record's row lock. Nothing here runs on a request thread: pages and the credential gate only read
 * the stored record.
 */
final class LinkWatcher implements Runnable {

    private static final Logger log = Logger.getLogger(LinkWatcher.class);

    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(2);
    private static final long LOOK_MILLIS = 500;
    private static final long DISCOVER_MILLIS = 5_000;

    private final String name;
    private final String componentId;
    private final String realmId;
    private final String topic;
    private final StreamCodec codec;
    private final KeycloakSessionFactory sessionFactory;
    private final Supplier<Consumer<byte[], byte[]>> clientFactory;
    private final LinkPolicy policy;
    private final ReplicaMetrics metrics;
    private final BiConsumer<InboundRecord, String> deadLetters;
    private final KafkaClientThread thread;
    /** When this node began watching: the SEVERED it opens in before a heartbeat arrives is not held for a window. */
    private final long startedAt = System.currentTimeMillis();
    private final LinkLog linkLog;
    /** While the broker is away a look fails on every round: the log says so when it begins, now and then, and when it ends. */
    private final RepeatedFailure lookFailures = new RepeatedFailure();
    private final RepeatedFailure missingTopic = new RepeatedFailure();

    private Heartbeat pending;
    private long pendingReadAt;
    /** When this node last read any heartbeat, and whether two reads were further apart than the threshold since the last look. */
    private long lastReadAt;
    private boolean dipped;
    private long lastLook;
    private long lastDiscovery;
    private boolean metadataAnswered;

    LinkWatcher(String name, String componentId, String realmId, String topic, StreamCodec codec, KeycloakSessionFactory sessionFactory,
                Supplier<Consumer<byte[], byte[]>> clientFactory, LinkPolicy policy, ReplicaMetrics metrics,
                BiConsumer<InboundRecord, String> deadLetters, LinkLog linkLog) {
        this.name = name;
        this.linkLog = linkLog;
        this.thread = new KafkaClientThread(name, log);
        this.componentId = componentId;
        this.realmId = realmId;
        this.topic = topic;
        this.codec = codec;
        this.sessionFactory = sessionFactory;
        this.clientFactory = clientFactory;
        this.policy = policy;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
    }

    void stop() {
        thread.stop();
    }

    @Override
    public void run() {
        thread.run(clientFactory, "cannot create the Kafka client for heartbeats; the link stays SEVERED", "heartbeat client", this::watch);
    }

    private void watch(Consumer<byte[], byte[]> consumer) {
        while (thread.running()) {
            try {
                if (consumer.assignment().isEmpty()) {
                    discover(consumer);
                }
                if (!consumer.assignment().isEmpty()) {
                    read(consumer, consumer.poll(POLL_TIMEOUT));
                } else {
                    KafkaClientThread.sleep(POLL_TIMEOUT.toMillis());
                }
                look(consumer);
                lookFailures.succeeded().ifPresent(run -> log.infof("%s: looking at the link again, after %s and %d failed attempts",
                        name, Durations.words(run.lasting(Instant.now())), run.failures()));
            } catch (WakeupException e) {
                // stop() was called.
            } catch (RuntimeException e) {
                Instant now = Instant.now();
                lookFailures.failed(now).ifPresent(run -> log.warnf("%s: cannot look at the link right now (%s)%s; trying again "
                        + "every %d ms, and saying so again every %d min while it fails", name, e.toString(), run.sofar(now),
                        POLL_TIMEOUT.toMillis(), RepeatedFailure.REMINDER.toMinutes()));
                log.debugf(e, "%s: the failure in full", name);
                KafkaClientThread.sleep(POLL_TIMEOUT.toMillis());
            }
        }
    }

    /** Assigns every partition of the heartbeat topic, from its end: only heartbeats sent from now on say anything. */
    private void discover(Consumer<byte[], byte[]> consumer) {
        long now = System.currentTimeMillis();
        if (now - lastDiscovery < DISCOVER_MILLIS && lastDiscovery != 0) {
            return;
        }
        lastDiscovery = now;
        List<PartitionInfo> infos;
        try {
            infos = consumer.partitionsFor(topic, METADATA_TIMEOUT);
            metadataAnswered = true;
        } catch (TimeoutException e) {
            metadataAnswered = false;
            return;
        }
        if (infos == null || infos.isEmpty()) {
            Instant at = Instant.now();
            missingTopic.failed(at).ifPresent(run -> log.warnf("%s: heartbeat topic %s does not exist (yet)%s; the link counts as "
                    + "SEVERED until heartbeats arrive", name, topic, run.sofar(at)));
            return;
        }
        missingTopic.succeeded();
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        log.infof("%s: watching heartbeats on %s", name, partitions);
    }

    /** Keeps the newest heartbeat that was the newest of its partition when read; older ones are history. */
    private void read(Consumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> polled = records.records(partition);
            OptionalLong lag = consumer.currentLag(partition);
            for (int i = 0; i < polled.size(); i++) {
                ConsumerRecord<byte[], byte[]> record = polled.get(i);
                Heartbeat heartbeat;
                String invalid;
                try {
                    heartbeat = codec.decodeHeartbeat(record.value());
                    invalid = null;
                } catch (InvalidEventException e) {
                    heartbeat = null;
                    invalid = "Record " + e.getMessage();
                } catch (RuntimeException e) {
                    // What the codec's checks missed is still the record's: it must not stop the watcher.
                    heartbeat = null;
                    invalid = "Record cannot be decoded: " + FailureText.of(e);
                }
                if (invalid != null) {
                    String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                    InboundRecord inbound = new InboundRecord(record.topic(), record.partition(), record.offset(), key, record.value());
                    log.warnf("%s: dead-lettered heartbeat record %s: %s", name, inbound, LogSafe.escape(invalid, 1_000));
                    deadLetters.accept(inbound, invalid);
                    continue;
                }
                long now = System.currentTimeMillis();
                if (lastReadAt != 0 && now - lastReadAt > policy.severanceThreshold().toMillis()) {
                    dipped = true;
                }
                lastReadAt = now;
                boolean newest = i == polled.size() - 1 && lag.isPresent() && lag.getAsLong() == 0;
                if (newest) {
                    pending = heartbeat;
                    pendingReadAt = System.currentTimeMillis();
                }
            }
        }
    }

    private void look(Consumer<byte[], byte[]> consumer) {
        long now = System.currentTimeMillis();
        if (now - lastLook < LOOK_MILLIS) {
            return;
        }
        lastLook = now;
        boolean reachable = reachable(consumer);
        Heartbeat heartbeat = pending;
        long readAt = pendingReadAt;
        boolean dip = dipped;
        LinkRecord record = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            LinkRows rows = LinkRows.of(session);
            LinkRecord current = rows.lock(componentId).orElse(null);
            LinkTick.Result result = LinkTick.tick(current, now, heartbeat, readAt, dip, reachable, rows.appliedPositions(componentId),
                    startedAt, policy);
            if (!result.record().equals(current)) {
                rows.save(componentId, realmId, result.record(), now);
            }
            if (result.transition() != null) {
                rows.recordTransition(componentId, realmId, result.transition(), result.record().driftMillis(now));
                metrics.linkChanged(result.record().state());
            }
            linkLog.looked(result.record(), result.transition(), now).ifPresent(line -> log.log(line.level(), line.text()));
            if (result.driftChanged()) {
                if (result.record().driftExceeded()) {
                    log.warnf("%s: connected, but %d s behind the upstream: beyond the drift window of %d s", name,
                            result.record().driftMillis(now) / 1000, policy.driftWindow().toSeconds());
                } else {
                    log.infof("%s: back within the drift window of %d s", name, policy.driftWindow().toSeconds());
                }
            }
            return result.record();
        });
        pending = null;
        dipped = false;
        metrics.link(record);
    }

    /** Whether this client has a connection to a broker, or a broker answered its last metadata request. */
    private boolean reachable(Consumer<byte[], byte[]> consumer) {
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            if ("connection-count".equals(metric.getKey().name()) && metric.getKey().group().endsWith("consumer-metrics")) {
                Object value = metric.getValue().metricValue();
                if (value instanceof Number n && n.doubleValue() > 0) {
                    return true;
                }
            }
        }
        return consumer.assignment().isEmpty() && metadataAnswered;
    }
}
