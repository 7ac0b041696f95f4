package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.stream.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a relay's heartbeat names: per delta partition, the offset after the last record of the realm. Not the
 * partition's end offset: each Kafka transaction's commit marker takes an offset of its own, which a replica never
 * applies, so the end offset would always read one ahead of a replica that applied everything, and it would never
 * count as caught up. The relay tells what it sent; a partition it has sent nothing to yet is read backwards from
 * its committed end once. Used on the relay's thread only, like the consumer it owns.
 */
final class HeartbeatPositions implements AutoCloseable {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Properties consumerProperties;
    private final Topics topics;
    private final Set<String> deltas;
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;

    HeartbeatPositions(Properties consumerProperties, Topics topics) {
        this.consumerProperties = consumerProperties;
        this.topics = topics;
        this.deltas = Set.copyOf(topics.deltas());
    }

    /** A record Kafka committed: its partition's position moves past it. */
    void sent(RecordMetadata metadata) {
        if (deltas.contains(metadata.topic()) && metadata.hasOffset()) {
            ends.merge(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset() + 1, Math::max);
        }
    }

    /** The positions a heartbeat names, by topic and partition. */
    Map<String, Map<Integer, Long>> named() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics.deltas()) {
            consumer().partitionsFor(topic, TIMEOUT).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        List<TopicPartition> unknown = partitions.stream().filter(p -> !ends.containsKey(p)).toList();
        if (!unknown.isEmpty()) {
            consumer().endOffsets(unknown, TIMEOUT).forEach((partition, end) -> ends.put(partition, lastRecordEnd(partition, end)));
        }
        Map<String, Map<Integer, Long>> named = new LinkedHashMap<>();
        partitions.forEach(p -> named.computeIfAbsent(p.topic(), t -> new TreeMap<>()).put(p.partition(), ends.get(p)));
        return named;
    }

    /**
     * The offset after the last committed record of a partition whose committed end is {@code end}: read backwards in
     * growing steps, as a read_committed consumer sees records (markers and aborted records are not returned).
     */
    private long lastRecordEnd(TopicPartition partition, long end) {
        if (end == 0) {
            return 0;
        }
        KafkaConsumer<byte[], byte[]> c = consumer();
        c.assign(List.of(partition));
        long step = 16;
        long from = end;
        while (true) {
            from = Math.max(0, from - step);
            c.seek(partition, from);
            long last = -1;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (c.position(partition, TIMEOUT) < end && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofMillis(200)).records(partition)) {
                    last = Math.max(last, record.offset());
                }
            }
            if (last >= 0) {
                return last + 1;
            }
            if (from == 0) {
                return 0;
            }
            step *= 4;
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            Properties properties = new Properties();
            properties.putAll(consumerProperties);
            consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        return consumer;
    }

    @Override
    public void close() {
        if (consumer != null) {
            try {
                consumer.close(CLOSE_TIMEOUT);
            } catch (RuntimeException ignored) {
                // Closing is best effort.
            }
            consumer = null;
        }
    }
}
