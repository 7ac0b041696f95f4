package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One upstream subject as a replica component knows it: which Keycloak user it is, and whether it was
 * deleted upstream (its attribute versions then stay behind as the tombstone).
 */
@Entity
@Table(name = "REPLICA_SUBJECT")
@NamedQueries({
        @NamedQuery(name = "replicaSubjectsBySubject",
                query = "select s from ReplicaSubjectEntity s where s.componentId = :componentId and s.subject in :subjects"),
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

    @Column(name = "DELETED", nullable = false)
    private boolean deleted;

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

    public boolean isDeleted() {
        return deleted;
    }

    public void setDeleted(boolean deleted) {
        this.deleted = deleted;
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
