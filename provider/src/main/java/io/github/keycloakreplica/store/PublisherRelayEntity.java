package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * The one relay of a primary realm across the primary's nodes: who holds it ({@code owner}) and until when, and the
 * epoch that went up each time another node took it over; what it published and when it last sent a heartbeat; and
 * where the realm's reconcile stands (the last user id it compared, null when none runs), so a reconcile goes on
 * where it stopped when its node dies.
 */
@Entity
@Table(name = "PUBLISHER_RELAY")
@NamedQueries({
        @NamedQuery(name = "renewPublisherRelay",
                query = "update PublisherRelayEntity r set r.leaseUntil = :leaseUntil where r.realmId = :realmId and r.owner = :owner "
                        + "and r.epoch = :epoch"),
        @NamedQuery(name = "releasePublisherRelay",
                query = "update PublisherRelayEntity r set r.leaseUntil = 0 where r.realmId = :realmId and r.owner = :owner "
                        + "and r.epoch = :epoch"),
        @NamedQuery(name = "deletePublisherRelayByRealm",
                query = "delete from PublisherRelayEntity r where r.realmId = :realmId")
})
public class PublisherRelayEntity {

    @Id
    @Column(name = "REALM_ID", length = 36)
    private String realmId;

    @Column(name = "OWNER", length = 255)
    private String owner;

    @Column(name = "EPOCH", nullable = false)
    private long epoch;

    @Column(name = "LEASE_UNTIL", nullable = false)
    private long leaseUntil;

    @Column(name = "LAST_HEARTBEAT_AT")
    private Long lastHeartbeatAt;

    @Column(name = "LAST_PUBLISHED_AT")
    private Long lastPublishedAt;

    @Column(name = "PUBLISHED", nullable = false)
    private long published;

    @Column(name = "FENCED", nullable = false)
    private long fenced;

    @Column(name = "LAST_ERROR", length = 1024)
    private String lastError;

    @Column(name = "LAST_ERROR_AT")
    private Long lastErrorAt;

    @Column(name = "RECONCILE_CURSOR", length = 36)
    private String reconcileCursor;

    @Column(name = "RECONCILE_REASON", length = 64)
    private String reconcileReason;

    @Column(name = "RECONCILE_STARTED_AT")
    private Long reconcileStartedAt;

    @Column(name = "RECONCILE_ENDED_AT")
    private Long reconcileEndedAt;

    @Column(name = "RECONCILE_SCANNED", nullable = false)
    private long reconcileScanned;

    @Column(name = "RECONCILE_FOUND", nullable = false)
    private long reconcileFound;

    @Column(name = "RECONCILE_FOUND_TOTAL", nullable = false)
    private long reconcileFoundTotal;

    @Column(name = "SET_ASIDE", nullable = false)
    private long setAside;

    @Column(name = "LAST_SET_ASIDE", length = 1024)
    private String lastSetAside;

    @Column(name = "LAST_SET_ASIDE_AT")
    private Long lastSetAsideAt;

    public String getRealmId() {
        return realmId;
    }

    public void setRealmId(String realmId) {
        this.realmId = realmId;
    }

    public String getOwner() {
        return owner;
    }

    public void setOwner(String owner) {
        this.owner = owner;
    }

    public long getEpoch() {
        return epoch;
    }

    public void setEpoch(long epoch) {
        this.epoch = epoch;
    }

    public long getLeaseUntil() {
        return leaseUntil;
    }

    public void setLeaseUntil(long leaseUntil) {
        this.leaseUntil = leaseUntil;
    }

    public Long getLastHeartbeatAt() {
        return lastHeartbeatAt;
    }

    public void setLastHeartbeatAt(Long lastHeartbeatAt) {
        this.lastHeartbeatAt = lastHeartbeatAt;
    }

    public Long getLastPublishedAt() {
        return lastPublishedAt;
    }

    public void setLastPublishedAt(Long lastPublishedAt) {
        this.lastPublishedAt = lastPublishedAt;
    }

    public long getPublished() {
        return published;
    }

    public void setPublished(long published) {
        this.published = published;
    }

    public long getFenced() {
        return fenced;
    }

    public void setFenced(long fenced) {
        this.fenced = fenced;
    }

    public String getLastError() {
        return lastError;
    }

    public void setLastError(String lastError) {
        this.lastError = lastError;
    }

    public Long getLastErrorAt() {
        return lastErrorAt;
    }

    public void setLastErrorAt(Long lastErrorAt) {
        this.lastErrorAt = lastErrorAt;
    }

    public String getReconcileCursor() {
        return reconcileCursor;
    }

    public void setReconcileCursor(String reconcileCursor) {
        this.reconcileCursor = reconcileCursor;
    }

    public String getReconcileReason() {
        return reconcileReason;
    }

    public void setReconcileReason(String reconcileReason) {
        this.reconcileReason = reconcileReason;
    }

    public Long getReconcileStartedAt() {
        return reconcileStartedAt;
    }

    public void setReconcileStartedAt(Long reconcileStartedAt) {
        this.reconcileStartedAt = reconcileStartedAt;
    }

    public Long getReconcileEndedAt() {
        return reconcileEndedAt;
    }

    public void setReconcileEndedAt(Long reconcileEndedAt) {
        this.reconcileEndedAt = reconcileEndedAt;
    }

    public long getReconcileScanned() {
        return reconcileScanned;
    }

    public void setReconcileScanned(long reconcileScanned) {
        this.reconcileScanned = reconcileScanned;
    }

    public long getReconcileFound() {
        return reconcileFound;
    }

    public void setReconcileFound(long reconcileFound) {
        this.reconcileFound = reconcileFound;
    }

    public long getReconcileFoundTotal() {
        return reconcileFoundTotal;
    }

    public void setReconcileFoundTotal(long reconcileFoundTotal) {
        this.reconcileFoundTotal = reconcileFoundTotal;
    }

    public long getSetAside() {
        return setAside;
    }

    public void setSetAside(long setAside) {
        this.setAside = setAside;
    }

    public String getLastSetAside() {
        return lastSetAside;
    }

    public void setLastSetAside(String lastSetAside) {
        this.lastSetAside = lastSetAside;
    }

    public Long getLastSetAsideAt() {
        return lastSetAsideAt;
    }

    public void setLastSetAsideAt(Long lastSetAsideAt) {
        this.lastSetAsideAt = lastSetAsideAt;
    }
}
