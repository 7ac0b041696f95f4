package io.github.keycloakreplica.store;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.NamedQueries;
import jakarta.persistence.NamedQuery;
import jakarta.persistence.Table;

/**
 * A sign-in this replica served while its link was not CONNECTED: who, when, through which client, and
 * how far behind the upstream the replica may have been. When a deprovisioning of the person (deletion
 * or disabling) arrives later, the sign-ins of the severance before it are marked with it: that overlap
 * is a deprovisioning-lag exposure.
 */
@Entity
@Table(name = "REPLICA_SEVERED_SIGN_IN")
@NamedQueries({
        @NamedQuery(name = "replicaSeveredSignIns",
                query = "select s from ReplicaSeveredSignInEntity s where s.realmId = :realmId order by s.signedInAt desc, s.id"),
        @NamedQuery(name = "replicaExposures",
                query = "select s from ReplicaSeveredSignInEntity s where s.realmId = :realmId and s.deprovisionedAt is not null order by s.deprovisionedAt desc, s.signedInAt desc, s.id"),
        @NamedQuery(name = "replicaUnlinkedSeveredSignIns",
                query = "select s from ReplicaSeveredSignInEntity s where s.componentId = :componentId and s.subject = :subject and s.signedInAt >= :since and s.deprovisionedAt is null"),
        @NamedQuery(name = "deleteReplicaSeveredSignInsByComponent",
                query = "delete from ReplicaSeveredSignInEntity s where s.componentId = :componentId"),
        @NamedQuery(name = "deleteReplicaSeveredSignInsByRealm",
                query = "delete from ReplicaSeveredSignInEntity s where s.realmId = :realmId")
})
public class ReplicaSeveredSignInEntity {

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

    @Column(name = "USERNAME")
    private String username;

    @Column(name = "SIGNED_IN_AT", nullable = false)
    private long signedInAt;

    @Column(name = "CLIENT_ID")
    private String clientId;

    @Column(name = "LINK_STATE", length = 16, nullable = false)
    private String linkState;

    @Column(name = "DRIFT_MILLIS", nullable = false)
    private long driftMillis;

    /** When the deprovisioning that makes this sign-in an exposure was applied here. */
    @Column(name = "DEPROVISIONED_AT")
    private Long deprovisionedAt;

    @Column(name = "DEPROVISION_EVENT_ID")
    private String deprovisionEventId;

    /** "deleted" or "disabled". */
    @Column(name = "DEPROVISION_KIND", length = 16)
    private String deprovisionKind;

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

    public String getUsername() {
        return username;
    }

    public void setUsername(String username) {
        this.username = username;
    }

    public long getSignedInAt() {
        return signedInAt;
    }

    public void setSignedInAt(long signedInAt) {
        this.signedInAt = signedInAt;
    }

    public String getClientId() {
        return clientId;
    }

    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public String getLinkState() {
        return linkState;
    }

    public void setLinkState(String linkState) {
        this.linkState = linkState;
    }

    public long getDriftMillis() {
        return driftMillis;
    }

    public void setDriftMillis(long driftMillis) {
        this.driftMillis = driftMillis;
    }

    public Long getDeprovisionedAt() {
        return deprovisionedAt;
    }

    public void setDeprovisionedAt(Long deprovisionedAt) {
        this.deprovisionedAt = deprovisionedAt;
    }

    public String getDeprovisionEventId() {
        return deprovisionEventId;
    }

    public void setDeprovisionEventId(String deprovisionEventId) {
        this.deprovisionEventId = deprovisionEventId;
    }

    public String getDeprovisionKind() {
        return deprovisionKind;
    }

    public void setDeprovisionKind(String deprovisionKind) {
        this.deprovisionKind = deprovisionKind;
    }
}
