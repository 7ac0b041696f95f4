package io.github.keycloakreplica.kafka;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import io.github.keycloakreplica.stream.VersionedValue;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotReaderTest {

    private static final StreamCodec CODEC = new StreamCodec();
    private static final Topics TOPICS = new Topics("site");

    private final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();
    private final Map<TopicPartition, Long> ends = new HashMap<>();
    private final MockConsumer<byte[], byte[]> consumer = new Log();
    private final SnapshotReader reader = new SnapshotReader("test", TOPICS, CODEC, () -> consumer);

    @BeforeEach
    void twoPartitionsPerSnapshotTopic() {
        for (String topic : List.of(TOPICS.identitySnapshot(), TOPICS.credentialsSnapshot())) {
            Node node = new Node(0, "localhost", 9092);
            consumer.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, node, null, null),
                    new PartitionInfo(topic, 1, node, null, null)));
            for (int p = 0; p < 2; p++) {
                ends.put(new TopicPartition(topic, p), 0L);
            }
        }
        consumer.updateBeginningOffsets(new HashMap<>(ends));
        consumer.updateEndOffsets(ends);
    }

    @Test
    void aSubjectsIdentityAndCredentialsComeInOneChunkPartitionNumberByPartitionNumber() {
        write(TOPICS.identitySnapshot(), 0, identity("alice"));
        write(TOPICS.identitySnapshot(), 1, identity("bob"));
        write(TOPICS.credentialsSnapshot(), 0, credentials("alice"));

        List<Map<String, List<StreamEvent>>> chunks = new ArrayList<>();
        boolean complete = reader.readAll(10, chunks::add, (record, why) -> {
            throw new AssertionError(why);
        });

        assertThat(complete).isTrue();
        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0)).containsOnlyKeys("alice");
        assertThat(chunks.get(0).get("alice")).extracting(e -> e.envelope().type())
                .containsExactlyInAnyOrder(EventType.IDENTITY_SNAPSHOT, EventType.CREDENTIALS_SNAPSHOT);
        assertThat(chunks.get(1)).containsOnlyKeys("bob");
    }

    @Test
    void recordsWrittenWhileTheReadRunsAreLeftToTheDeltas() {
        write(TOPICS.identitySnapshot(), 0, identity("alice"));
        write(TOPICS.identitySnapshot(), 1, identity("bob"));

        List<Map<String, List<StreamEvent>>> chunks = new ArrayList<>();
        reader.readAll(10, chunk -> {
            chunks.add(chunk);
            if (chunks.size() == 1) {
                // The upstream goes on writing while the first partition pair is applied.
                write(TOPICS.identitySnapshot(), 1, identity("carol"));
            }
        }, (record, why) -> {
            throw new AssertionError(why);
        });

        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(1)).as("the end positions are those the read began with").containsOnlyKeys("bob");
    }

    @Test
    void aRecordThatIsNotASnapshotOfItsKeyIsRejectedAndTheRestIsRead() {
        write(TOPICS.identitySnapshot(), 0, identity("alice"));
        write(new TopicPartition(TOPICS.identitySnapshot(), 0), "mallory", identity("alice"));
        write(TOPICS.identitySnapshot(), 0, identity("bob"));

        List<String> rejected = new ArrayList<>();
        List<Map<String, List<StreamEvent>>> chunks = new ArrayList<>();
        reader.readAll(10, chunks::add, (record, why) -> rejected.add(record.offset() + ": " + why));

        assertThat(rejected).singleElement().asString().startsWith("1: ").contains("'mallory'");
        assertThat(chunks).singleElement().satisfies(chunk -> assertThat(chunk).containsOnlyKeys("alice", "bob"));
    }

    private void write(String topic, int partition, StreamEvent event) {
        write(new TopicPartition(topic, partition), event.subject(), event);
    }

    private void write(TopicPartition partition, String key, StreamEvent event) {
        long offset = ends.get(partition);
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>(partition.topic(), partition.partition(), offset,
                key.getBytes(StandardCharsets.UTF_8), CODEC.encode(event));
        log.computeIfAbsent(partition, p -> new ArrayList<>()).add(record);
        if (consumer.assignment().contains(partition)) {
            consumer.addRecord(record);
        }
        ends.put(partition, offset + 1);
        consumer.updateEndOffsets(ends);
    }

    /** MockConsumer only takes records of assigned partitions; this one hands over what the log holds on assignment. */
    private final class Log extends MockConsumer<byte[], byte[]> {

        Log() {
            super("earliest");
        }

        @Override
        public synchronized void assign(Collection<TopicPartition> partitions) {
            Set<TopicPartition> before = Set.copyOf(assignment());
            super.assign(partitions);
            partitions.stream().filter(p -> !before.contains(p))
                    .forEach(p -> log.getOrDefault(p, List.of()).forEach(this::addRecord));
        }
    }

    private static IdentitySnapshot identity(String subject) {
        return new IdentitySnapshot(envelope(EventType.IDENTITY_SNAPSHOT, subject),
                Map.of("username", new VersionedValue(TextNode.valueOf(subject), 1)));
    }

    private static CredentialsSnapshot credentials(String subject) {
        return new CredentialsSnapshot(envelope(EventType.CREDENTIALS_SNAPSHOT, subject), List.of(), Map.of());
    }

    private static Envelope envelope(EventType type, String subject) {
        return new Envelope(UUID.randomUUID().toString(), "upstream", type, subject, Instant.now().toString());
    }
}
