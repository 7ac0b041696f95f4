package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One change of a component's link state, with its cause and the drift at that moment: the durable history
 * an operator reads after an outage.
 */
@Entity
@Table(name = "REPLICA_LINK_TRANSITION")
@NamedQueries({
        @NamedQuery(name = "replicaLinkTransitions",
                query = "select t from ReplicaLinkTransitionEntity t where t.componentId = :componentId order by t.changedAt desc, t.id"),
        @NamedQuery(name = "replicaLinkLastLeftConnected",
                query = "select max(t.changedAt) from ReplicaLinkTransitionEntity t where t.componentId = :componentId "
                        + "and t.fromState = 'CONNECTED'"),
        @NamedQuery(name = "deleteReplicaLinkTransitionsByComponent",
                query = "delete from ReplicaLinkTransitionEntity t where t.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaLinkTransitionsByRealm",
                query = "delete from ReplicaLinkTransitionEntity t where t.realmId = :realmId")
})
public class ReplicaLinkTransitionEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    /** Null for the first state a component took. */
    @Column(name = "FROM_STATE", length = 16)
    private String fromState;

    @Column(name = "TO_STATE", length = 16, nullable = false)
    private String toState;

    @Column(name = "CHANGED_AT", nullable = false)
    private long changedAt;

    @Column(name = "CAUSE", length = 1024)
    private String cause;

    @Column(name = "DRIFT_MILLIS", nullable = false)
    private long driftMillis;

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

    public String getFromState() {
        return fromState;
    }

    public void setFromState(String fromState) {
        this.fromState = fromState;
    }

    public String getToState() {
        return toState;
    }

    public void setToState(String toState) {
        this.toState = toState;
    }

    public long getChangedAt() {
        return changedAt;
    }

    public void setChangedAt(long changedAt) {
        this.changedAt = changedAt;
    }

    public String getCause() {
        return cause;
    }

    public void setCause(String cause) {
        this.cause = cause;
    }

    public long getDriftMillis() {
        return driftMillis;
    }

    public void setDriftMillis(long driftMillis) {
        this.driftMillis = driftMillis;
    }
}
