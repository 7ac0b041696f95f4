package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * What a primary realm last published of one person: the {@link io.github.keycloakreplica.protocol.PublishedLedger}
 * (versions and value fingerprints, never values). The row is locked while the person is compared and versioned,
 * so two materializers (a relay that lost its lease and the one that took over) version one after the other and
 * never give two values the same version. Its id derives from realm and subject, so it is found by primary key.
 */
@Entity
@Table(name = "PUBLISHER_SUBJECT")
@NamedQueries({
        @NamedQuery(name = "publisherLiveSubjectsWithoutUser",
                query = "select s.subject from PublisherSubjectEntity s where s.realmId = :realmId and s.live = true "
                        + "and not exists (select u.id from UserEntity u where u.id = s.subject and u.realmId = s.realmId) "
                        + "order by s.subject"),
        @NamedQuery(name = "publisherCountLiveSubjects",
                query = "select count(s) from PublisherSubjectEntity s where s.realmId = :realmId and s.live = true"),
        @NamedQuery(name = "deletePublisherSubjectsByRealm",
                query = "delete from PublisherSubjectEntity s where s.realmId = :realmId")
})
public class PublisherSubjectEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "SUBJECT", nullable = false)
    private String subject;

    @Column(name = "LIVE", nullable = false)
    private boolean live;

    @Column(name = "LEDGER")
    private String ledger;

    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

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

    public boolean isLive() {
        return live;
    }

    public void setLive(boolean live) {
        this.live = live;
    }

    public String getLedger() {
        return ledger;
    }

    public void setLedger(String ledger) {
        this.ledger = ledger;
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
