package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.apply.InboundRecord;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Reads the compacted snapshot topics up to the end they have when the read starts, with a consumer of
 * its own (assigned partitions, no group), so the delta consumer's position and group membership are
 * untouched. Records come back grouped by subject in offset order, newest last; the caller fast-forwards.
 */
final class SnapshotReader {

    private static final Logger log = Logger.getLogger(SnapshotReader.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration MAX_READ = Duration.ofMinutes(15);

    private final String name;
    private final Topics topics;
    private final StreamCodec codec;
    private final Supplier<Consumer<byte[], byte[]>> clients;
    /** By topic: every gap repair and sync would say again that it is missing. */
    private final Map<String, RepeatedFailure> missing = new ConcurrentHashMap<>();

    SnapshotReader(String name, Topics topics, StreamCodec codec, Supplier<Consumer<byte[], byte[]>> clients) {
        this.name = name;
        this.topics = topics;
        this.codec = codec;
        this.clients = clients;
    }

    /** Invalid snapshot records, for the caller to dead-letter. */
    interface Rejects extends BiConsumer<InboundRecord, String> {
    }

    /**
     * Reads every snapshot record up to the end positions the topics had when the read began (records
     * written during the read are for the delta topics to bring), handing them over in chunks of at most
     * {@code chunkSubjects} subjects, a subject's records newest last. The topics are read one partition number at a time, both topics'
     * partition together: the upstream keys both by subject, so with equal partition counts a subject's
     * identity and credentials are in the same partition number and come in the same chunk, and the
     * subject is written once rather than twice. Memory holds one partition pair. A subject may still
     * appear in several chunks when the two topics' partition counts differ.
     *
     * @return whether both snapshot topics were there to read (false: one is missing, and the read says
     *         nothing about the subjects it would hold)
     */
    boolean readAll(int chunkSubjects, java.util.function.Consumer<Map<String, List<StreamEvent>>> chunks, Rejects rejects) {
        try (Consumer<byte[], byte[]> consumer = clients.get()) {
            List<TopicPartition> partitions = partitions(consumer, null);
            boolean complete = partitions.stream().map(TopicPartition::topic).distinct().count() == 2;
            Map<TopicPartition, Long> ends = ends(consumer, partitions);
            TreeMap<Integer, Map<TopicPartition, Long>> byNumber = new TreeMap<>();
            ends.forEach((p, end) -> byNumber.computeIfAbsent(p.partition(), n -> new LinkedHashMap<>()).put(p, end));
            for (Map<TopicPartition, Long> pair : byNumber.values()) {
                Map<String, List<StreamEvent>> bySubject = new LinkedHashMap<>();
                read(consumer, pair, null, (subject, event) -> bySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(event), rejects);
                Map<String, List<StreamEvent>> chunk = new LinkedHashMap<>();
                for (Map.Entry<String, List<StreamEvent>> subject : bySubject.entrySet()) {
                    chunk.put(subject.getKey(), subject.getValue());
                    if (chunk.size() >= chunkSubjects) {
                        chunks.accept(chunk);
                        chunk = new LinkedHashMap<>();
                    }
                }
                if (!chunk.isEmpty()) {
                    chunks.accept(chunk);
                }
            }
            return complete;
        }
    }

    /**
     * The snapshot records of these subjects. Looks in the partition Kafka's default partitioner gives
     * each subject first, then in every other partition for the subjects it did not find there.
     */
    Map<String, List<StreamEvent>> read(Set<String> subjects, Rejects rejects) {
        Map<String, List<StreamEvent>> found = new LinkedHashMap<>();
        try (Consumer<byte[], byte[]> consumer = clients.get()) {
            List<TopicPartition> likely = partitions(consumer, subjects);
            read(consumer, ends(consumer, likely), subjects, (subject, event) -> found.computeIfAbsent(subject, s -> new ArrayList<>()).add(event), rejects);
            Set<String> missing = new HashSet<>(subjects);
            missing.removeAll(found.keySet());
            if (!missing.isEmpty()) {
                List<TopicPartition> rest = partitions(consumer, null);
                rest.removeAll(likely);
                read(consumer, ends(consumer, rest), missing, (subject, event) -> found.computeIfAbsent(subject, s -> new ArrayList<>()).add(event), rejects);
            }
        }
        return found;
    }

    /** All partitions of both snapshot topics, or only those the default partitioner gives these subjects. */
    private List<TopicPartition> partitions(Consumer<byte[], byte[]> consumer, Set<String> subjects) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(topics.identitySnapshot(), topics.credentialsSnapshot())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            RepeatedFailure absent = missing.computeIfAbsent(topic, t -> new RepeatedFailure());
            if (infos == null || infos.isEmpty()) {
                Instant now = Instant.now();
                absent.failed(now).ifPresentOrElse(
                        run -> log.warnf("%s: snapshot topic %s does not exist%s; nothing to read from it", name, topic, run.sofar(now)),
                        () -> log.debugf("%s: snapshot topic %s still does not exist", name, topic));
                continue;
            }
            absent.succeeded().ifPresent(run -> log.infof("%s: snapshot topic %s exists now", name, topic));
            if (subjects == null) {
                infos.forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            } else {
                Set<Integer> wanted = new HashSet<>();
                subjects.forEach(s -> wanted.add(Utils.toPositive(Utils.murmur2(s.getBytes(StandardCharsets.UTF_8))) % infos.size()));
                wanted.forEach(p -> partitions.add(new TopicPartition(topic, p)));
            }
        }
        return partitions;
    }

    /** Where each of these partitions ends now, leaving out the empty ones. */
    private static Map<TopicPartition, Long> ends(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, Long> end = new LinkedHashMap<>(consumer.endOffsets(partitions));
        Map<TopicPartition, Long> start = consumer.beginningOffsets(partitions);
        end.entrySet().removeIf(e -> e.getValue() <= start.getOrDefault(e.getKey(), 0L));
        return end;
    }

    /** Reads these partitions from their beginning up to the given end positions. */
    private void read(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends, Set<String> only,
                      BiConsumer<String, StreamEvent> sink, Rejects rejects) {
        if (ends.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> end = new LinkedHashMap<>(ends);
        consumer.assign(end.keySet());
        consumer.seekToBeginning(end.keySet());
        Instant deadline = Instant.now().plus(MAX_READ);
        long records = 0;
        while (!end.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("reading the snapshot topics took longer than " + MAX_READ + "; " + end.keySet() + " unfinished");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                TopicPartition partition = new TopicPartition(r.topic(), r.partition());
                Long stop = end.get(partition);
                String subject = r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
                if (stop == null || r.offset() >= stop || r.value() == null || (only != null && !only.contains(subject))) {
                    continue;
                }
                records++;
                InboundRecord record = new InboundRecord(r.topic(), r.partition(), r.offset(), subject, r.value());
                try {
                    StreamCodec.checkRecordKey(r.key());
                    StreamEvent event = codec.decode(r.value());
                    if (!event.envelope().type().isSnapshot() || !event.subject().equals(subject)) {
                        rejects.accept(record, "Record is a " + event.envelope().type() + " event for subject '" + event.subject()
                                + "' under key '" + subject + "' on snapshot topic " + r.topic()
                                + "; snapshot topics carry the subject's snapshot records under its key");
                        continue;
                    }
                    sink.accept(subject, event);
                } catch (InvalidEventException e) {
                    rejects.accept(record, "Record " + e.getMessage());
                } catch (RuntimeException e) {
                    // What the codec's checks missed is still the record's: it must not stop a bootstrap or a sync.
                    rejects.accept(record, "Record cannot be decoded: " + FailureText.of(e));
                }
            }
            end.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        }
        log.debugf("%s: read %d snapshot records from %s", name, records, ends.keySet());
    }
}
