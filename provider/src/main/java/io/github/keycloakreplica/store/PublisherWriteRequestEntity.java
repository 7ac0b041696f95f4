package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A site's credential change request at a primary realm's write path and the answer it got, under the site's
 * client and the request's idempotency key: the same key from the same client gets this answer again, after a
 * restart too. Written in the transaction that carries the change out, so a change and its answer commit together;
 * a second request with the same key waits on this row until the first commits. Holds no secret: the answer names
 * the published credential events, whose stored data went to the stream anyway, and nothing of the request's password.
 */
@Entity
@Table(name = "PUBLISHER_WRITE_REQUEST")
@NamedQueries({
        @NamedQuery(name = "deletePublisherWriteRequestsBefore",
                query = "delete from PublisherWriteRequestEntity w where w.realmId = :realmId and w.createdAt < :before"),
        @NamedQuery(name = "deletePublisherWriteRequestsByRealm",
                query = "delete from PublisherWriteRequestEntity w where w.realmId = :realmId")
})
public class PublisherWriteRequestEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "CLIENT_ID", nullable = false)
    private String clientId;

    @Column(name = "SITE", nullable = false)
    private String site;

    @Column(name = "SUBJECT", nullable = false)
    private String subject;

    @Column(name = "CHANGE_KIND", length = 32, nullable = false)
    private String change;

    @Column(name = "STATUS", nullable = false)
    private int status;

    @Column(name = "ANSWER")
    private String answer;

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

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getSite() {
        return site;
    }

    public void setSite(String site) {
        this.site = site;
    }

    public String getSubject() {
        return subject;
    }

    public void setSubject(String subject) {
        this.subject = subject;
    }

    public String getChange() {
        return change;
    }

    public void setChange(String change) {
        this.change = change;
    }

    public int getStatus() {
        return status;
    }

    public void setStatus(int status) {
        this.status = status;
    }

    public String getAnswer() {
        return answer;
    }

    public void setAnswer(String answer) {
        this.answer = answer;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }
}
