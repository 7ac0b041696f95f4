package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * An entitlement the upstream gave a subject that this realm does not have (yet): a realm role, a client
 * role or a group. Never silently dropped: kept here, shown to operators, and granted once it exists.
 */
@Entity
@Table(name = "REPLICA_UNRESOLVED")
@NamedQueries({
        @NamedQuery(name = "replicaUnresolvedBySubject",
                query = "select u from ReplicaUnresolvedEntity u where u.subjectId = :subjectId"),
        @NamedQuery(name = "replicaUnresolvedBySubjectIds",
                query = "select u from ReplicaUnresolvedEntity u where u.subjectId in :subjectIds"),
        @NamedQuery(name = "replicaUnresolvedSubjects",
                query = "select distinct s.subject from ReplicaUnresolvedEntity u, ReplicaSubjectEntity s "
                        + "where u.componentId = :componentId and s.id = u.subjectId"),
        @NamedQuery(name = "deleteReplicaUnresolvedByComponent",
                query = "delete from ReplicaUnresolvedEntity u where u.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaUnresolvedByRealm",
                query = "delete from ReplicaUnresolvedEntity u where u.realmId = :realmId")
})
public class ReplicaUnresolvedEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "SUBJECT_ID", length = 36, nullable = false)
    private String subjectId;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    /** The replicated attribute that named it: realmRoles, clientRoles.&lt;clientId&gt; or groups. */
    @Column(name = "ATTRIBUTE", nullable = false)
    private String attribute;

    /** What is missing, in words: "realm role 'auditor'", "group '/site-b/ops'". */
    @Column(name = "ENTITLEMENT", length = 1024, nullable = false)
    private String entitlement;

    @Column(name = "SINCE", nullable = false)
    private long since;

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

    public String getAttribute() {
        return attribute;
    }

    public void setAttribute(String attribute) {
        this.attribute = attribute;
    }

    public String getEntitlement() {
        return entitlement;
    }

    public void setEntitlement(String entitlement) {
        this.entitlement = entitlement;
    }

    public long getSince() {
        return since;
    }

    public void setSince(long since) {
        this.since = since;
    }
}
