package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * The link of one replica component, one row per component (its id is the component's), shared by every
 * node of the site: the nodes read and change it under a row lock, so they agree on one state. Times are
 * the replica's own clock.
 */
@Entity
@Table(name = "REPLICA_LINK")
@NamedQueries({
        @NamedQuery(name = "deleteReplicaLinkByComponent",
                query = "delete from ReplicaLinkEntity l where l.id = :componentId"),
        @NamedQuery(name = "deleteReplicaLinkByRealm",
                query = "delete from ReplicaLinkEntity l where l.realmId = :realmId")
})
public class ReplicaLinkEntity {

    /** The component id. */
    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "STATE", length = 16, nullable = false)
    private String state;

    @Column(name = "SINCE", nullable = false)
    private long since;

    @Column(name = "CAUSE", length = 1024)
    private String cause;

    @Column(name = "HEALTHY_SINCE")
    private Long healthySince;

    @Column(name = "LAST_HEARTBEAT_AT")
    private Long lastHeartbeatAt;

    @Column(name = "HEARTBEAT_INTERVAL")
    private Long heartbeatInterval;

    /** The positions the newest heartbeat named, as JSON: topic, partition, offset. */
    @Column(name = "HEARTBEAT_POSITIONS")
    private String heartbeatPositions;

    @Column(name = "COVERED_HEARTBEAT_AT")
    private Long coveredHeartbeatAt;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    @Column(name = "DRIFT_EXCEEDED", nullable = false)
    private boolean driftExceeded;

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

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public long getSince() {
        return since;
    }

    public void setSince(long since) {
        this.since = since;
    }

    public String getCause() {
        return cause;
    }

    public void setCause(String cause) {
        this.cause = cause;
    }

    public Long getHealthySince() {
        return healthySince;
    }

    public void setHealthySince(Long healthySince) {
        this.healthySince = healthySince;
    }

    public Long getLastHeartbeatAt() {
        return lastHeartbeatAt;
    }

    public void setLastHeartbeatAt(Long lastHeartbeatAt) {
        this.lastHeartbeatAt = lastHeartbeatAt;
    }

    public Long getHeartbeatInterval() {
        return heartbeatInterval;
    }

    public void setHeartbeatInterval(Long heartbeatInterval) {
        this.heartbeatInterval = heartbeatInterval;
    }

    public String getHeartbeatPositions() {
        return heartbeatPositions;
    }

    public void setHeartbeatPositions(String heartbeatPositions) {
        this.heartbeatPositions = heartbeatPositions;
    }

    public Long getCoveredHeartbeatAt() {
        return coveredHeartbeatAt;
    }

    public void setCoveredHeartbeatAt(Long coveredHeartbeatAt) {
        this.coveredHeartbeatAt = coveredHeartbeatAt;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }

    public boolean isDriftExceeded() {
        return driftExceeded;
    }

    public void setDriftExceeded(boolean driftExceeded) {
        this.driftExceeded = driftExceeded;
    }

    public long getUpdatedAt() {
        return updatedAt;
    }

    public void setUpdatedAt(long updatedAt) {
        this.updatedAt = updatedAt;
    }
}
