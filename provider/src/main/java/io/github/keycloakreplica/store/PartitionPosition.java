package io.github.keycloakreplica.store;

/** The next offset to read in one topic partition. */
public record PartitionPosition(String topic, int partition, long nextOffset) {

    /** The position just past a record read at this offset. */
    public static PartitionPosition after(String topic, int partition, long offset) {
        return new PartitionPosition(topic, partition, offset + 1);
    }

    /** Names the partition, so that a batch keeps one position per partition. */
    public String key() {
        return topic + "#" + partition;
    }
}
