package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.store.RecordOrigin;

/** One Kafka record as the apply engine sees it: no Kafka types beyond this point. */
public record InboundRecord(String topic, int partition, long offset, String key, byte[] value) {

    public RecordOrigin origin() {
        return new RecordOrigin(topic, partition, offset);
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
