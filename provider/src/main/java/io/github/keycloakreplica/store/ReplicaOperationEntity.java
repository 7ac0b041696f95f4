package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * One sync operation of a replica component (a full sync, say): who asked and why, where it stands, what
 * it did. Durable, so an operation outlives the request that started it and the node that runs it: a
 * node claims it by moving it from QUEUED to RUNNING in one conditional update, and holds it by renewing
 * its lease; an operation whose lease ran out goes back to the queue.
 */
@Entity
@Table(name = "REPLICA_OPERATION")
@NamedQueries({
        @NamedQuery(name = "replicaOperationsByComponent",
                query = "select o from ReplicaOperationEntity o where o.componentId in :componentIds order by o.createdAt desc, o.id"),
        @NamedQuery(name = "replicaOperationByKey",
                query = "select o from ReplicaOperationEntity o where o.componentId = :componentId and o.idempotencyKey = :key"),
        @NamedQuery(name = "replicaOperationsActive",
                query = "select o from ReplicaOperationEntity o where o.componentId = :componentId and o.kind = :kind "
                        + "and o.state in ('QUEUED', 'RUNNING') order by o.createdAt"),
        @NamedQuery(name = "replicaOperationsFinished",
                query = "select o from ReplicaOperationEntity o where o.componentId = :componentId and o.kind = :kind "
                        + "and o.state in ('SUCCEEDED', 'FAILED') order by o.endedAt desc"),
        @NamedQuery(name = "replicaOperationsDue",
                query = "select o.id from ReplicaOperationEntity o where o.componentId in :componentIds and "
                        + "((o.state = 'QUEUED' and o.nextAttemptAt <= :now) or (o.state = 'RUNNING' and o.leaseUntil < :now)) "
                        + "order by o.createdAt"),
        @NamedQuery(name = "claimReplicaOperation",
                query = "update ReplicaOperationEntity o set o.state = 'RUNNING', o.claimedBy = :node, o.leaseUntil = :leaseUntil, "
                        + "o.attempts = o.attempts + 1, o.startedAt = :now where o.id = :id and "
                        + "((o.state = 'QUEUED' and o.nextAttemptAt <= :now) or (o.state = 'RUNNING' and o.leaseUntil < :now))"),
        @NamedQuery(name = "addReplicaOperationProgress",
                query = "update ReplicaOperationEntity o set o.processed = o.processed + :processed, o.added = o.added + :added, "
                        + "o.updated = o.updated + :updated, o.removed = o.removed + :removed, o.failed = o.failed + :failed, "
                        + "o.leaseUntil = :leaseUntil where o.id = :id"),
        @NamedQuery(name = "deleteReplicaOperationsByComponent",
                query = "delete from ReplicaOperationEntity o where o.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaOperationsByRealm",
                query = "delete from ReplicaOperationEntity o where o.realmId = :realmId")
})
public class ReplicaOperationEntity {

    @Id
    @Column(name = "ID", length = 36)
    private String id;

    @Column(name = "COMPONENT_ID", length = 36, nullable = false)
    private String componentId;

    @Column(name = "REALM_ID", length = 36, nullable = false)
    private String realmId;

    @Column(name = "KIND", length = 16, nullable = false)
    private String kind;

    /** What the operation covers, as its kind reads it (subjects of a targeted sync); null for everything. */
    @Column(name = "SCOPE")
    private String scope;

    @Column(name = "REQUESTED_BY", length = 255, nullable = false)
    private String requestedBy;

    @Column(name = "REASON", length = 1024)
    private String reason;

    @Column(name = "IDEMPOTENCY_KEY", length = 255, nullable = false)
    private String idempotencyKey;

    @Column(name = "STATE", length = 16, nullable = false)
    private String state;

    @Column(name = "ATTEMPTS", nullable = false)
    private int attempts;

    @Column(name = "NEXT_ATTEMPT_AT", nullable = false)
    private long nextAttemptAt;

    @Column(name = "CLAIMED_BY", length = 255)
    private String claimedBy;

    @Column(name = "LEASE_UNTIL")
    private Long leaseUntil;

    @Column(name = "ADDED", nullable = false)
    private int added;

    @Column(name = "UPDATED", nullable = false)
    private int updated;

    @Column(name = "REMOVED", nullable = false)
    private int removed;

    @Column(name = "FAILED", nullable = false)
    private int failed;

    /** Subjects looked at so far. */
    @Column(name = "PROCESSED", nullable = false)
    private int processed;

    @Column(name = "LAST_ERROR", length = 2048)
    private String lastError;

    /** What the operation found, as JSON, when it has more to say than its counts (the orphans it names). */
    @Column(name = "RESULT")
    private String result;

    @Column(name = "CREATED_AT", nullable = false)
    private long createdAt;

    @Column(name = "STARTED_AT")
    private Long startedAt;

    @Column(name = "ENDED_AT")
    private Long endedAt;

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

    public String getKind() {
        return kind;
    }

    public void setKind(String kind) {
        this.kind = kind;
    }

    public String getScope() {
        return scope;
    }

    public void setScope(String scope) {
        this.scope = scope;
    }

    public String getRequestedBy() {
        return requestedBy;
    }

    public void setRequestedBy(String requestedBy) {
        this.requestedBy = requestedBy;
    }

    public String getReason() {
        return reason;
    }

    public void setReason(String reason) {
        this.reason = reason;
    }

    public String getIdempotencyKey() {
        return idempotencyKey;
    }

    public void setIdempotencyKey(String idempotencyKey) {
        this.idempotencyKey = idempotencyKey;
    }

    public String getState() {
        return state;
    }

    public void setState(String state) {
        this.state = state;
    }

    public int getAttempts() {
        return attempts;
    }

    public void setAttempts(int attempts) {
        this.attempts = attempts;
    }

    public long getNextAttemptAt() {
        return nextAttemptAt;
    }

    public void setNextAttemptAt(long nextAttemptAt) {
        this.nextAttemptAt = nextAttemptAt;
    }

    public String getClaimedBy() {
        return claimedBy;
    }

    public void setClaimedBy(String claimedBy) {
        this.claimedBy = claimedBy;
    }

    public Long getLeaseUntil() {
        return leaseUntil;
    }

    public void setLeaseUntil(Long leaseUntil) {
        this.leaseUntil = leaseUntil;
    }

    public int getAdded() {
        return added;
    }

    public void setAdded(int added) {
        this.added = added;
    }

    public int getUpdated() {
        return updated;
    }

    public void setUpdated(int updated) {
        this.updated = updated;
    }

    public int getRemoved() {
        return removed;
    }

    public void setRemoved(int removed) {
        this.removed = removed;
    }

    public int getFailed() {
        return failed;
    }

    public void setFailed(int failed) {
        this.failed = failed;
    }

    public int getProcessed() {
        return processed;
    }

    public void setProcessed(int processed) {
        this.processed = processed;
    }

    public String getLastError() {
        return lastError;
    }

    public void setLastError(String lastError) {
        this.lastError = lastError;
    }

    public String getResult() {
        return result;
    }

    public void setResult(String result) {
        this.result = result;
    }

    public long getCreatedAt() {
        return createdAt;
    }

    public void setCreatedAt(long createdAt) {
        this.createdAt = createdAt;
    }

    public Long getStartedAt() {
        return startedAt;
    }

    public void setStartedAt(Long startedAt) {
        this.startedAt = startedAt;
    }

    public Long getEndedAt() {
        return endedAt;
    }

    public void setEndedAt(Long endedAt) {
        this.endedAt = endedAt;
    }
}
