package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.store.PartitionPosition;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far the incremental sync (the delta consumer) is behind, per partition: the offsets the upstream's
 * newest heartbeat named against the positions the replica stored with what it applied. Both come from
 * the database, so reading the lag never asks Kafka; it is as fresh as that heartbeat.
 */
public final class IncrementalLag {

    private IncrementalLag() {
    }

    /**
     * One delta partition.
     *
     * @param position    the next offset the replica will apply (0 when it has stored none)
     * @param upstreamEnd the offset the newest heartbeat named, or null when no heartbeat named this partition
     * @param lag         records published and not yet applied, as of that heartbeat; null without one
     */
    public record PartitionLag(String topic, int partition, long position, Long upstreamEnd, Long lag) {
    }

    public static List<PartitionLag> of(Map<String, Map<Integer, Long>> heartbeatPositions, Collection<PartitionPosition> stored) {
        Map<String, PartitionLag> byKey = new TreeMap<>();
        for (PartitionPosition p : stored) {
            Long end = heartbeatPositions == null ? null : heartbeatPositions.getOrDefault(p.topic(), Map.of()).get(p.partition());
            byKey.put(p.topic() + "#" + String.format("%09d", p.partition()), new PartitionLag(p.topic(), p.partition(), p.nextOffset(), end,
                    end == null ? null : Math.max(0, end - p.nextOffset())));
        }
        if (heartbeatPositions != null) {
            heartbeatPositions.forEach((topic, partitions) -> partitions.forEach((partition, end) ->
                    byKey.putIfAbsent(topic + "#" + String.format("%09d", partition), new PartitionLag(topic, partition, 0, end, end))));
        }
        return new ArrayList<>(byKey.values());
    }

    /** The sum over the partitions that a heartbeat named. */
    public static long total(List<PartitionLag> partitions) {
        return partitions.stream().filter(p -> p.lag() != null).mapToLong(PartitionLag::lag).sum();
    }
}
