package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * The consumer position of a replica component in one topic partition: the next offset to read. It is
 * written in the same database transaction as the state it produced, so it is the replica's sync marker.
 */
@Entity
@Table(name = "REPLICA_POSITION")
@NamedQueries({
        @NamedQuery(name = "replicaPositionsByComponent",
                query = "select p from ReplicaPositionEntity p where p.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaPositionsByComponent",
                query = "delete from ReplicaPositionEntity p where p.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaPositionsByRealm",
                query = "delete from ReplicaPositionEntity p where p.realmId = :realmId")
})
public class ReplicaPositionEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "TOPIC", nullable = false)
    private String topic;

    @Column(name = "PARTITION_NO", nullable = false)
    private int partition;

    @Column(name = "NEXT_OFFSET", nullable = false)
    private long nextOffset;

    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getComponentId() {
        return componentId;
    }

    public void setComponentId(String componentId) {
        this.componentId = componentId;
    }

    public String getRealmId() {
        return realmId;
    }

    public void setRealmId(String realmId) {
        this.realmId = realmId;
    }

    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
    }

    public int getPartition() {
        return partition;
    }

    public void setPartition(int partition) {
        this.partition = partition;
    }

    public long getNextOffset() {
        return nextOffset;
    }

    public void setNextOffset(long nextOffset) {
        this.nextOffset = nextOffset;
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
