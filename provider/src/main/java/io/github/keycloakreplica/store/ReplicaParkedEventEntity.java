package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * An event that cannot apply yet, kept durably: a credential whose subject has not arrived on the
 * identity stream (the two topics are ordered per subject, but not against each other). It is applied
 * as soon as its subject is.
 */
@Entity
@Table(name = "REPLICA_PARKED_EVENT")
@NamedQueries({
        @NamedQuery(name = "replicaParkedEventsBySubject",
                query = "select p from ReplicaParkedEventEntity p where p.componentId = :componentId and p.subject = :subject "
                        + "order by p.parkedAt, p.origin.offset"),
        @NamedQuery(name = "deleteReplicaParkedEventsBySubject",
                query = "delete from ReplicaParkedEventEntity p where p.componentId = :componentId and p.subject = :subject"),
        @NamedQuery(name = "deleteReplicaParkedEventsByComponent",
                query = "delete from ReplicaParkedEventEntity p where p.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaParkedEventsByRealm",
                query = "delete from ReplicaParkedEventEntity p where p.realmId = :realmId")
})
public class ReplicaParkedEventEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "SUBJECT", nullable = false)
    private String subject;

    @Embedded
    private RecordOrigin origin;

    @Column(name = "EVENT_ID", nullable = false)
    private String eventId;

    @Column(name = "PAYLOAD", nullable = false)
    private String payload;

    @Column(name = "PARKED_AT", nullable = false)
    private long parkedAt;

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

    public String getSubject() {
        return subject;
    }

    public void setSubject(String subject) {
        this.subject = subject;
    }

    public RecordOrigin getOrigin() {
        return origin;
    }

    public void setOrigin(RecordOrigin origin) {
        this.origin = origin;
    }

    public String getEventId() {
        return eventId;
    }

    public void setEventId(String eventId) {
        this.eventId = eventId;
    }

    public String getPayload() {
        return payload;
    }

    public void setPayload(String payload) {
        this.payload = payload;
    }

    public long getParkedAt() {
        return parkedAt;
    }

    public void setParkedAt(long parkedAt) {
        this.parkedAt = parkedAt;
    }
}
