package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/** Where a Kafka record came from, so an operator can find it again with any Kafka tool. */
@Embeddable
public class RecordOrigin {

    @Column(name = "TOPIC", nullable = false)
    private String topic;

    @Column(name = "PARTITION_NO", nullable = false)
    private int partition;

    @Column(name = "RECORD_OFFSET", nullable = false)
    private long offset;

    protected RecordOrigin() {
    }

    public RecordOrigin(String topic, int partition, long offset) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    public String getTopic() {
        return topic;
    }

    public int getPartition() {
        return partition;
    }

    public long getOffset() {
        return offset;
    }

    @Override
    public String toString() {
        return topic + "/" + partition + "@" + offset;
    }
}
