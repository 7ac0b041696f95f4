package io.github.keycloakreplica.it;

import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What a publisher committed to its topics, read to the end as a replica would (read_committed) by a plain
 * consumer of the test's own, and judged record by record: which subjects the records name, and whether each
 * subject's versions went up one at a time, in topic order, with no gap and no second value for a version.
 */
final class TopicLog {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    private static final StreamCodec CODEC = new StreamCodec();

    /** One committed record: where it lies, its key (the subject), and its value as sent. */
    record Published(String topic, int partition, long offset, String key, byte[] value) {

        StreamEvent event() {
            try {
                return CODEC.decode(value);
            } catch (InvalidEventException e) {
                throw new AssertionError("a record the stream contract refuses at " + topic + "-" + partition + "@" + offset + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private TopicLog() {
    }

    /** Each partition's committed end offset (the last stable offset): where the next committed record will lie. */
    static Map<TopicPartition, Long> ends(String bootstrapServers, List<String> topics) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrapServers)) {
            return consumer.endOffsets(partitions(consumer, topics), Duration.ofSeconds(10));
        }
    }

    /** Every committed record of the topics, from the beginning, up to their committed ends now. */
    static List<Published> all(String bootstrapServers, List<String> topics) {
        return since(bootstrapServers, topics, Map.of());
    }

    /**
     * The committed records of the topics from the given offsets (a partition not named: from its beginning) up to
     * their committed ends now, in partition order.
     */
    static List<Published> since(String bootstrapServers, List<String> topics, Map<TopicPartition, Long> from) {
        List<Published> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = partitions(consumer, topics);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            for (TopicPartition partition : partitions) {
                Long start = from.get(partition);
                if (start != null) {
                    consumer.seek(partition, start);
                }
            }
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reachedEnds(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topics + " to their ends " + ends + " within " + READ_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        records.add(new Published(record.topic(), record.partition(), record.offset(), record.key(), record.value()));
                    }
                }
            }
        }
        return records;
    }

    /** The records of the delta topics as events, by subject, in partition order (a subject's records share a partition). */
    static Map<String, List<StreamEvent>> eventsBySubject(List<Published> records) {
        Map<String, List<StreamEvent>> bySubject = new LinkedHashMap<>();
        for (Published record : records) {
            bySubject.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record.event());
        }
        return bySubject;
    }

    /** What {@link #problemsInOrder} found, and how many records came again with an id already seen. */
    record Order(List<String> problems, int repeats) {
    }

    /**
     * Checks one subject's events of one delta topic, in topic order, for a subject first published within them:
     * every attribute (or credential id) starts at version 1 and goes up by exactly one from one event to the next
     * that carries it. A record sent again after a crash carries the same event id and the same versions, and is
     * counted as a repeat, not a problem: replicas drop it. Anything else (a gap, a version given twice to different
     * events, a version going back) is a problem, named.
     */
    static Order problemsInOrder(String subject, List<StreamEvent> events) {
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, Long>> seen = new HashMap<>();
        Map<String, Long> last = new TreeMap<>();
        int repeats = 0;
        for (StreamEvent event : events) {
            Map<String, Long> versions = versionsOf(event);
            Map<String, Long> before = seen.putIfAbsent(event.envelope().id(), versions);
            if (before != null) {
                repeats++;
                if (!before.equals(versions)) {
                    problems.add(subject + ": event " + event.envelope().id() + " came again with other versions " + versions + " than "
                            + before);
                }
                continue;
            }
            for (Map.Entry<String, Long> version : versions.entrySet()) {
                long expected = last.getOrDefault(version.getKey(), 0L) + 1;
                if (version.getValue() != expected) {
                    problems.add(subject + ": " + version.getKey() + " went from version " + (expected - 1) + " to " + version.getValue()
                            + " (event " + event.envelope().id() + ", " + event.envelope().type() + ")");
                }
                last.put(version.getKey(), version.getValue());
            }
        }
        return new Order(problems, repeats);
    }

    /** The versions an event gives, by attribute name or by {@code credential:<id>}. */
    static Map<String, Long> versionsOf(StreamEvent event) {
        Map<String, Long> versions = new TreeMap<>();
        if (event instanceof IdentityUpsert upsert) {
            upsert.attributes().forEach((name, value) -> versions.put(name, value.version()));
        } else if (event instanceof IdentityDeletion deletion) {
            versions.putAll(deletion.versions());
        } else if (event instanceof CredentialUpsert upsert) {
            versions.put("credential:" + upsert.credential().id(), upsert.credential().version());
        } else if (event instanceof CredentialRevocation revocation) {
            versions.put("credential:" + revocation.credentialId(), revocation.version());
        } else {
            throw new AssertionError("not a delta: " + event.envelope().type());
        }
        return versions;
    }

    private static boolean reachedEnds(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey(), Duration.ofSeconds(10)) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, List<String> topics) {
        Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(10));
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            List<PartitionInfo> of = existing.get(topic);
            if (of == null) {
                throw new AssertionError("no topic " + topic + " on the broker; there are " + existing.keySet());
            }
            of.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        return partitions;
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrapServers) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "it-topic-log");
        properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    }
}
