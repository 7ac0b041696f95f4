package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One upstream subject as a replica component knows it: which Keycloak user it is, whether it is one
 * now (its username is present; after a deletion its versions stay behind as the tombstone), since
 * when a gap has been open, and how many entries its event log holds. The row is locked while a batch
 * applies to the subject, so nodes of one site sharing the database never apply to it at once.
 */
@Entity
@Table(name = "REPLICA_SUBJECT")
@NamedQueries({
        @NamedQuery(name = "replicaSubjectsBySubject",
                // Ordered, so that transactions applying at once lock shared subjects in one order and never deadlock.
                query = "select s from ReplicaSubjectEntity s where s.componentId = :componentId and s.subject in :subjects order by s.subject"),
        @NamedQuery(name = "replicaSubjectByUser",
                query = "select s from ReplicaSubjectEntity s where s.componentId = :componentId and s.userId = :userId"),
        @NamedQuery(name = "replicaSubjectsWithGapsSince",
                query = "select s.subject from ReplicaSubjectEntity s where s.componentId = :componentId and s.gapSince <= :cutoff "
                        + "and (s.lastRepair is null or s.lastRepair <= :cutoff) order by s.gapSince"),
        @NamedQuery(name = "markReplicaRepairAttempt",
                query = "update ReplicaSubjectEntity s set s.lastRepair = :now where s.componentId = :componentId and s.subject in :subjects"),
        @NamedQuery(name = "replicaGapSummary",
                query = "select count(s), min(s.gapSince) from ReplicaSubjectEntity s where s.componentId = :componentId "
                        + "and s.gapSince is not null"),
        @NamedQuery(name = "deleteReplicaSubjectsByComponent",
                query = "delete from ReplicaSubjectEntity s where s.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaSubjectsByRealm",
                query = "delete from ReplicaSubjectEntity s where s.realmId = :realmId")
})
public class ReplicaSubjectEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "SUBJECT", nullable = false)
    private String subject;

    @Column(name = "USER_ID", length = 36, nullable = false)
    private String userId;

    @Column(name = "LIVE", nullable = false)
    private boolean live;

    @Column(name = "GAP_SINCE")
    private Long gapSince;

    @Column(name = "LAST_REPAIR")
    private Long lastRepair;

    @Column(name = "CRITICAL_GAP", nullable = false)
    private boolean criticalGap;

    @Column(name = "LOG_SIZE", nullable = false)
    private int logSize;

    @Column(name = "SOURCE")
    private String source;

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

    public String getSubject() {
        return subject;
    }

    public void setSubject(String subject) {
        this.subject = subject;
    }

    public String getUserId() {
        return userId;
    }

    public void setUserId(String userId) {
        this.userId = userId;
    }

    public boolean isLive() {
        return live;
    }

    public void setLive(boolean live) {
        this.live = live;
    }

    public Long getGapSince() {
        return gapSince;
    }

    public void setGapSince(Long gapSince) {
        this.gapSince = gapSince;
    }

    public Long getLastRepair() {
        return lastRepair;
    }

    public void setLastRepair(Long lastRepair) {
        this.lastRepair = lastRepair;
    }

    public boolean isCriticalGap() {
        return criticalGap;
    }

    public void setCriticalGap(boolean criticalGap) {
        this.criticalGap = criticalGap;
    }

    public int getLogSize() {
        return logSize;
    }

    public void setLogSize(int logSize) {
        this.logSize = logSize;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
