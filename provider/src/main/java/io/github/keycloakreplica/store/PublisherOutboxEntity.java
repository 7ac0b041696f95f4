package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One versioned record of a primary realm waiting for the relay: a delta or a snapshot, in its final form (event id
 * included, so a record sent twice after a crash is the same record and replicas drop the copy). Rows are sent in
 * sequence order and deleted once Kafka took them; a person's rows are written under their ledger row's lock, so
 * the sequence orders each person's records as their versions are ordered. Payloads of credential records hold
 * Keycloak's stored hashes and seeds, as its own CREDENTIAL table does, and never leave the database but to Kafka.
 */
@Entity
@Table(name = "PUBLISHER_OUTBOX")
@NamedQueries({
        @NamedQuery(name = "publisherOutboxHead",
                query = "select o from PublisherOutboxEntity o where o.realmId = :realmId order by o.seq"),
        @NamedQuery(name = "publisherOutboxSummary",
                query = "select count(o), min(o.createdAt) from PublisherOutboxEntity o where o.realmId = :realmId"),
        @NamedQuery(name = "deletePublisherOutbox",
                query = "delete from PublisherOutboxEntity o where o.realmId = :realmId and o.seq in :seqs"),
        @NamedQuery(name = "deletePublisherOutboxByRealm",
                query = "delete from PublisherOutboxEntity o where o.realmId = :realmId")
})
public class PublisherOutboxEntity {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    @Column(name = "SEQ")
    private Long seq;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "SUBJECT", nullable = false)
    private String subject;

    /** Which of the realm's topics: a {@link PublisherRows.Topic} name. */
    @Column(name = "TOPIC", length = 32, nullable = false)
    private String topic;

    @Column(name = "EVENT_ID", length = 36, nullable = false)
    private String eventId;

    @Column(name = "PAYLOAD", nullable = false)
    private String payload;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    public Long getSeq() {
        return seq;
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

    public String getTopic() {
        return topic;
    }

    public void setTopic(String topic) {
        this.topic = topic;
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

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }
}
