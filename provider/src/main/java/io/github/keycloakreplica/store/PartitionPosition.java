package io.github.keycloakreplica.store;

/** The next offset to read in one topic partition. */
public record PartitionPosition(String topic, int partition, long nextOffset) {

    String key() {
        return topic + "#" + partition;
    }
}
