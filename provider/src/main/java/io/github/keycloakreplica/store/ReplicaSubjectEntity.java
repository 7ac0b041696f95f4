package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * One upstream subject as a replica component knows it: which Keycloak user it is, whether it is one
 * now (its username is present; after a deletion its facts stay behind as the tombstone), its current
 * facts, the ids of the events it met last, since when a gap has been open, and how many entries its
 * event log holds. The row is locked while a batch applies to the subject, so nodes of one site sharing
 * the database never apply to it at once, and every version check and write of the batch happens under
 * that lock.
 *
 * <p>A subject's facts and recent event ids live in its row, and the row's id is derived from component
 * and subject, so a batch reads everything it needs by primary key: a plan no database can get wrong,
 * statistics or not. (Kept as rows of their own, keyed by subject, they were read with sequential scans
 * by PostgreSQL on new tables until autovacuum first analyzed them, at a fifth of the later speed.)
 */
@Entity
@Table(name = "REPLICA_SUBJECT")
@NamedQueries({
        @NamedQuery(name = "replicaSubjectsByIds",
                // Ordered, so that transactions applying at once lock shared subjects in one order and never deadlock.
                query = "select s from ReplicaSubjectEntity s where s.id in :ids order by s.id"),
        @NamedQuery(name = "replicaSubjectByUser",
                query = "select s from ReplicaSubjectEntity s where s.componentId = :componentId and s.userId = :userId"),
        @NamedQuery(name = "replicaLiveSubjects",
                query = "select s.subject from ReplicaSubjectEntity s where s.componentId = :componentId and s.live = true"),
        @NamedQuery(name = "replicaSubjectIdByUser",
                query = "select s.id from ReplicaSubjectEntity s where s.componentId = :componentId and s.userId = :userId"),
        @NamedQuery(name = "replicaSubjectFactsByUser",
                query = "select s.id, s.subject, s.facts from ReplicaSubjectEntity s where s.componentId = :componentId and s.userId = :userId"),
        @NamedQuery(name = "replicaSubjectMarkRepaired",
                query = "update ReplicaSubjectEntity s set s.lastRepair = :now where s.componentId = :componentId and s.subject = :subject"),
        @NamedQuery(name = "replicaSubjectsWithGapsSince",
                query = "select s.subject from ReplicaSubjectEntity s where s.componentId = :componentId and s.gapSince <= :cutoff "
                        + "and (s.lastRepair is null or s.lastRepair <= :cutoff) order by s.gapSince"),
        @NamedQuery(name = "replicaSubjectsWithOpenGaps",
                query = "select s from ReplicaSubjectEntity s where s.realmId = :realmId and s.gapSince is not null "
                        + "order by s.gapSince, s.id"),
        @NamedQuery(name = "replicaCountOpenGaps",
                query = "select count(s) from ReplicaSubjectEntity s where s.realmId = :realmId and s.gapSince is not null"),
        @NamedQuery(name = "replicaGapSummary",
                query = "select count(s), min(s.gapSince) from ReplicaSubjectEntity s where s.componentId = :componentId "
                        + "and s.gapSince is not null"),
        @NamedQuery(name = "replicaSubjectsParkedOn",
                query = "select s.subject from ReplicaSubjectEntity s where s.componentId = :componentId and s.parkedUsername in :usernames"),
        @NamedQuery(name = "replicaParkedSubjectsFree",
                // Waiting for a username nobody else holds here any more: the holder let go through another path.
                query = "select s.subject from ReplicaSubjectEntity s where s.componentId = :componentId and s.parkedUsername is not null "
                        + "and not exists (select u.id from UserEntity u where u.realmId = s.realmId and u.username = s.parkedUsername "
                        + "and u.id <> s.userId) order by s.parkedSince"),
        @NamedQuery(name = "replicaParkedWaits",
                query = "select s.subject, h.subject from ReplicaSubjectEntity s, UserEntity u, ReplicaSubjectEntity h "
                        + "where s.componentId = :componentId and s.parkedUsername is not null and u.realmId = s.realmId "
                        + "and u.username = s.parkedUsername and u.id <> s.userId and h.componentId = s.componentId and h.userId = u.id "
                        + "order by s.parkedSince"),
        @NamedQuery(name = "replicaParkedHolders",
                query = "select distinct s.parkedHolder from ReplicaSubjectEntity s where s.componentId = :componentId "
                        + "and s.subject in :subjects and s.parkedHolder is not null"),
        @NamedQuery(name = "replicaSubjectNameByUser",
                query = "select s.subject from ReplicaSubjectEntity s where s.componentId = :componentId and s.userId = :userId"),
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

    /** The current facts as a JSON array (see {@link FactsColumn}); a credential's secret included. */
    @Column(name = "FACTS")
    private String facts;

    /**
     * The username the subject was given while another subject of the component still held it here (in
     * lower case): until the holder lets go, the subject's Keycloak user keeps its old username, or does
     * not exist yet. Null when it waits for nothing.
     */
    @Column(name = "PARKED_USERNAME")
    private String parkedUsername;

    /** The subject that held the username when this one was parked. */
    @Column(name = "PARKED_HOLDER")
    private String parkedHolder;

    @Column(name = "PARKED_SINCE")
    private Long parkedSince;

    /** Ids of the events this subject met last, newest last, one per line: how a redelivery is recognised. */
    @Column(name = "RECENT_EVENT_IDS")
    private String recentEventIds;

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

    public String getFacts() {
        return facts;
    }

    public void setFacts(String facts) {
        this.facts = facts;
    }

    public String getRecentEventIds() {
        return recentEventIds;
    }

    public void setRecentEventIds(String recentEventIds) {
        this.recentEventIds = recentEventIds;
    }

    public String getParkedUsername() {
        return parkedUsername;
    }

    public void setParkedUsername(String parkedUsername) {
        this.parkedUsername = parkedUsername;
    }

    public String getParkedHolder() {
        return parkedHolder;
    }

    public void setParkedHolder(String parkedHolder) {
        this.parkedHolder = parkedHolder;
    }

    public Long getParkedSince() {
        return parkedSince;
    }

    public void setParkedSince(Long parkedSince) {
        this.parkedSince = parkedSince;
    }

    /** The row id of a subject of a component: name-based, so that a batch finds its rows by primary key. */
    public static String idOf(String componentId, String subject) {
        return UUID.nameUUIDFromBytes(("keycloak-replica-subject:" + componentId + "\n" + subject)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
