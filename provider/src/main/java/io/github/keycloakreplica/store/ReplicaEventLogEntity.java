package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One line of a subject's bounded event log: which event (or repair), the versions it carried, what
 * became of it and why. For people debugging a replica.
 */
@Entity
@Table(name = "REPLICA_EVENT_LOG")
@NamedQueries({
        @NamedQuery(name = "replicaEventLogBySubject",
                query = "select l from ReplicaEventLogEntity l where l.subjectId = :subjectId order by l.loggedAt desc, l.sequence desc"),
        @NamedQuery(name = "replicaEventLogOldest",
                query = "select l.id from ReplicaEventLogEntity l where l.subjectId = :subjectId order by l.loggedAt, l.sequence"),
        @NamedQuery(name = "deleteReplicaEventLogByIds",
                query = "delete from ReplicaEventLogEntity l where l.id in :ids"),
        @NamedQuery(name = "deleteReplicaEventLogByComponent",
                query = "delete from ReplicaEventLogEntity l where l.subjectId in "
                        + "(select s.id from ReplicaSubjectEntity s where s.componentId = :componentId)"),
        @NamedQuery(name = "deleteReplicaEventLogByRealm",
                query = "delete from ReplicaEventLogEntity l where l.subjectId in "
                        + "(select s.id from ReplicaSubjectEntity s where s.realmId = :realmId)")
})
public class ReplicaEventLogEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "SUBJECT_ID", length = 36, nullable = false)
    private String subjectId;

    @Column(name = "EVENT_ID")
    private String eventId;

    @Column(name = "EVENT_TYPE")
    private String eventType;

    @Column(name = "VERSIONS", length = 2048)
    private String versions;

    @Column(name = "OUTCOME", length = 16, nullable = false)
    private String outcome;

    @Column(name = "DETAIL", length = 2048)
    private String detail;

    @Column(name = "ORIGIN")
    private String origin;

    @Column(name = "LOGGED_AT", nullable = false)
    private long loggedAt;

    @Column(name = "SEQUENCE_NO", nullable = false)
    private int sequence;

    public String getId() {
        return id;
    }

    public void setId(String id) {
        this.id = id;
    }

    public String getSubjectId() {
        return subjectId;
    }

    public void setSubjectId(String subjectId) {
        this.subjectId = subjectId;
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

    public String getVersions() {
        return versions;
    }

    public void setVersions(String versions) {
        this.versions = versions;
    }

    public String getOutcome() {
        return outcome;
    }

    public void setOutcome(String outcome) {
        this.outcome = outcome;
    }

    public String getDetail() {
        return detail;
    }

    public void setDetail(String detail) {
        this.detail = detail;
    }

    public String getOrigin() {
        return origin;
    }

    public void setOrigin(String origin) {
        this.origin = origin;
    }

    public long getLoggedAt() {
        return loggedAt;
    }

    public void setLoggedAt(long loggedAt) {
        this.loggedAt = loggedAt;
    }

    public int getSequence() {
        return sequence;
    }

    public void setSequence(int sequence) {
        this.sequence = sequence;
    }
}
