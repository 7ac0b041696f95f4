package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * That a person of a primary realm changed (or may have): written in the changing request's own transaction, so a
 * change never commits without it and a rolled-back change leaves none. It holds no value: the materializer reads
 * the person's state from the database and compares it with what was last published. Subject {@value #WHOLE_REALM}
 * asks for the whole realm to be compared, for changes that reach every holder of a role or group.
 */
@Entity
@Table(name = "PUBLISHER_INTENT")
@NamedQueries({
        @NamedQuery(name = "publisherOldestIntents",
                query = "select i from PublisherIntentEntity i where i.realmId = :realmId order by i.createdAt, i.id"),
        @NamedQuery(name = "publisherIntentSummary",
                query = "select count(i), min(i.createdAt) from PublisherIntentEntity i where i.realmId = :realmId"),
        @NamedQuery(name = "deletePublisherIntents",
                query = "delete from PublisherIntentEntity i where i.id in :ids"),
        @NamedQuery(name = "deletePublisherIntentsByRealm",
                query = "delete from PublisherIntentEntity i where i.realmId = :realmId")
})
public class PublisherIntentEntity {

    public static final String WHOLE_REALM = "*";

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "SUBJECT", nullable = false)
    private String subject;

    @Column(name = "REASON", length = 64, nullable = false)
    private String reason;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
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

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }
}
