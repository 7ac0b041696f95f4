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
 * The current fact of one attribute, or one credential id, of one subject: its version, its value (null
 * when absent), and the event and authority it came from. A credential's value is Keycloak's stored
 * format, secret included, kept so a subject re-created upstream gets its credentials back; it is never
 * returned by the admin API.
 */
@Entity
@Table(name = "REPLICA_VERSION")
@NamedQueries({
        @NamedQuery(name = "replicaVersionsBySubjectIds",
                query = "select v from ReplicaVersionEntity v where v.subjectId in :subjectIds"),
        @NamedQuery(name = "deleteReplicaVersionsByComponent",
                query = "delete from ReplicaVersionEntity v where v.subjectId in "
                        + "(select s.id from ReplicaSubjectEntity s where s.componentId = :componentId)"),
        @NamedQuery(name = "deleteReplicaVersionsByRealm",
                query = "delete from ReplicaVersionEntity v where v.subjectId in "
                        + "(select s.id from ReplicaSubjectEntity s where s.realmId = :realmId)")
})
public class ReplicaVersionEntity {

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

    @Column(name = "UPDATED_AT", nullable = false)
    private long updatedAt;

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

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
