package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * The durable gap buffer: a fact that arrived ahead of its turn (its version is more than one above the
 * stored one), waiting for the versions in between or for a snapshot repair.
 */
@Entity
@Table(name = "REPLICA_GAP")
@NamedQueries({
        @NamedQuery(name = "replicaGapAttributeNames",
                query = "select distinct g.name from ReplicaGapEntity g where g.subjectId = :subjectId "
                        + "and g.kind = io.github.keycloakreplica.store.ReplicaGapEntity.Kind.ATTRIBUTE"),
        @NamedQuery(name = "replicaGapDeletionWaiting",
                query = "select count(g) from ReplicaGapEntity g where g.subjectId = :subjectId and g.name = 'username' and g.value is null "
                        + "and g.kind = io.github.keycloakreplica.store.ReplicaGapEntity.Kind.ATTRIBUTE"),
        @NamedQuery(name = "replicaGapsBySubjectIds",
                query = "select g from ReplicaGapEntity g where g.subjectId in :subjectIds"),
        @NamedQuery(name = "deleteReplicaGapsByComponent",
                query = "delete from ReplicaGapEntity g where g.subjectId in "
                        + "(select s.id from ReplicaSubjectEntity s where s.componentId = :componentId)"),
        @NamedQuery(name = "deleteReplicaGapsByRealm",
                query = "delete from ReplicaGapEntity g where g.subjectId in "
                        + "(select s.id from ReplicaSubjectEntity s where s.realmId = :realmId)")
})
public class ReplicaGapEntity {

    public enum Kind {
        ATTRIBUTE,
        CREDENTIAL
    }

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "SUBJECT_ID", length = 36, nullable = false)
    private String subjectId;

    @Enumerated(EnumType.STRING)
    @Column(name = "KIND", length = 16, nullable = false)
    private Kind kind;

    @Column(name = "NAME", nullable = false)
    private String name;

    @Column(name = "VERSION", nullable = false)
    private long version;

    @Column(name = "FACT_VALUE")
    private String value;

    @Column(name = "EVENT_ID")
    private String eventId;

    @Column(name = "SOURCE")
    private String source;

    @Column(name = "BUFFERED_AT", nullable = false)
    private long bufferedAt;

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

    public Kind getKind() {
        return kind;
    }

    public void setKind(Kind kind) {
        this.kind = kind;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public long getVersion() {
        return version;
    }

    public void setVersion(long version) {
        this.version = version;
    }

    public String getValue() {
        return value;
    }

    public void setValue(String value) {
        this.value = value;
    }

    public String getEventId() {
        return eventId;
    }

    public void setEventId(String eventId) {
        this.eventId = eventId;
    }

    public String getSource() {
        return source;
    }

    public void setSource(String source) {
        this.source = source;
    }

    public long getBufferedAt() {
        return bufferedAt;
    }

    public void setBufferedAt(long bufferedAt) {
        this.bufferedAt = bufferedAt;
    }
}
