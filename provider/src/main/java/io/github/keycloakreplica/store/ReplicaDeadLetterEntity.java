package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A record the replica could not apply, with the reason, so that the stream keeps flowing and the
 * upstream's owner can see what to fix. The payload is kept with credential secrets redacted.
 */
@Entity
@Table(name = "REPLICA_DEAD_LETTER")
@NamedQueries({
        @NamedQuery(name = "replicaDeadLettersByRealm",
                query = "select d from ReplicaDeadLetterEntity d where d.realmId = :realmId order by d.receivedAt desc, d.id"),
        @NamedQuery(name = "countReplicaDeadLettersByRealm",
                query = "select count(d) from ReplicaDeadLetterEntity d where d.realmId = :realmId"),
        @NamedQuery(name = "replicaDeadLetterTimesByComponent",
                query = "select d.receivedAt from ReplicaDeadLetterEntity d where d.componentId = :componentId order by d.receivedAt desc, d.id desc"),
        @NamedQuery(name = "deleteReplicaDeadLettersOlderThan",
                query = "delete from ReplicaDeadLetterEntity d where d.componentId = :componentId and d.receivedAt < :cutoff"),
        @NamedQuery(name = "deleteReplicaDeadLettersByComponent",
                query = "delete from ReplicaDeadLetterEntity d where d.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaDeadLettersByRealm",
                query = "delete from ReplicaDeadLetterEntity d where d.realmId = :realmId")
})
public class ReplicaDeadLetterEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Embedded
    private RecordOrigin origin;

    @Column(name = "RECORD_KEY")
    private String recordKey;

    @Column(name = "EVENT_ID")
    private String eventId;

    @Column(name = "EVENT_TYPE")
    private String eventType;

    @Column(name = "REASON", length = 2048, nullable = false)
    private String reason;

    @Column(name = "PAYLOAD")
    private String payload;

    @Column(name = "RECEIVED_AT", nullable = false)
    private long receivedAt;

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

    public RecordOrigin getOrigin() {
        return origin;
    }

    public void setOrigin(RecordOrigin origin) {
        this.origin = origin;
    }

    public String getRecordKey() {
        return recordKey;
    }

    public void setRecordKey(String recordKey) {
        this.recordKey = recordKey;
    }

    public String getEventId() {
        return eventId;
    }

    public void setEventId(String eventId) {
        this.eventId = eventId;
    }

    public String getEventType() {
        return eventType;
    }

    public void setEventType(String eventType) {
        this.eventType = eventType;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getPayload() {
        return payload;
    }

    public void setPayload(String payload) {
        this.payload = payload;
    }

    public long getReceivedAt() {
        return receivedAt;
    }

    public void setReceivedAt(long receivedAt) {
        this.receivedAt = receivedAt;
    }
}
