package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.List;
import java.util.UUID;

/** Sign-ins served while the link was not CONNECTED, and the deprovisioning-lag exposures they became. */
public final class ExposureRows {

    private final EntityManager em;

    public ExposureRows(EntityManager em) {
        this.em = em;
    }

    public static ExposureRows of(KeycloakSession session) {
        return new ExposureRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public void recordSignIn(String componentId, String realmId, String subject, String userId, String username, String clientId,
                             String linkState, long driftMillis, long at) {
        ReplicaSeveredSignInEntity row = new ReplicaSeveredSignInEntity();
        row.setId(UUID.randomUUID().toString());
        row.setComponentId(componentId);
        row.setRealmId(realmId);
        row.setSubject(subject);
        row.setUserId(userId);
        row.setUsername(username);
        row.setClientId(clientId);
        row.setLinkState(linkState);
        row.setDriftMillis(driftMillis);
        row.setSignedInAt(at);
        em.persist(row);
    }

    /**
     * Marks the sign-ins a subject was served since {@code since} (the start of the latest severance) and
     * that no deprovisioning claimed yet as the exposure of this one.
     *
     * @return how many sign-ins became exposures
     */
    public int recordDeprovisioning(String componentId, String subject, long since, String eventId, String kind, long now) {
        List<ReplicaSeveredSignInEntity> overlap = em.createNamedQuery("replicaUnlinkedSeveredSignIns", ReplicaSeveredSignInEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("subject", subject)
                .setParameter("since", since)
                .getResultList();
        for (ReplicaSeveredSignInEntity signIn : overlap) {
            signIn.setDeprovisionedAt(now);
            signIn.setDeprovisionEventId(eventId);
            signIn.setDeprovisionKind(kind);
        }
        return overlap.size();
    }

    /** Newest first. */
    public List<ReplicaSeveredSignInEntity> signIns(String realmId, int first, int max) {
        return em.createNamedQuery("replicaSeveredSignIns", ReplicaSeveredSignInEntity.class)
                .setParameter("realmId", realmId).setFirstResult(first).setMaxResults(max).getResultList();
    }

    /** Sign-ins that became exposures, newest deprovisioning first. */
    public List<ReplicaSeveredSignInEntity> exposures(String realmId, int first, int max) {
        return em.createNamedQuery("replicaExposures", ReplicaSeveredSignInEntity.class)
                .setParameter("realmId", realmId).setFirstResult(first).setMaxResults(max).getResultList();
    }
}
