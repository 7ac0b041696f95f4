package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.List;

/**
 * Forgetting across the replica's tables: a subject with everything hanging off it, or all of a component
 * or a realm. The rows are read and written by one {@code *Rows} class per table group; these deletions
 * span the groups and live in one place, so that a table added to the replica is added to every
 * clean-up at once.
 */
public final class ReplicaStore {

    private final EntityManager em;

    public ReplicaStore(EntityManager em) {
        this.em = em;
    }

    public static ReplicaStore of(KeycloakSession session) {
        return new ReplicaStore(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /**
     * Forgets subjects entirely (their row, gap buffer, event log and unresolved entitlements), as if the
     * component had never seen them: for orphans whose users were removed. Should the upstream name one
     * again, it is a new subject here.
     */
    public void forgetSubjects(List<String> subjectRowIds) {
        if (subjectRowIds.isEmpty()) {
            return;
        }
        for (String entity : List.of("ReplicaUnresolvedEntity", "ReplicaGapEntity", "ReplicaEventLogEntity")) {
            em.createQuery("delete from " + entity + " e where e.subjectId in :ids").setParameter("ids", subjectRowIds).executeUpdate();
        }
        em.createQuery("delete from ReplicaSubjectEntity s where s.id in :ids").setParameter("ids", subjectRowIds).executeUpdate();
    }

    /** Everything the replica keeps of a component: for the component's removal. */
    public void forgetComponent(String componentId) {
        for (String query : List.of("deleteReplicaUnresolvedByComponent", "deleteReplicaGapsByComponent",
                "deleteReplicaEventLogByComponent", "deleteReplicaSubjectsByComponent",
                "deleteReplicaPositionsByComponent", "deleteReplicaDeadLettersByComponent",
                "deleteReplicaLinkByComponent", "deleteReplicaLinkTransitionsByComponent", "deleteReplicaSeveredSignInsByComponent",
                "deleteReplicaOperationsByComponent")) {
            em.createNamedQuery(query).setParameter("componentId", componentId).executeUpdate();
        }
    }

    /** Everything the replica keeps of a realm: for the realm's removal. */
    public void forgetRealm(String realmId) {
        for (String query : List.of("deleteReplicaUnresolvedByRealm", "deleteReplicaGapsByRealm",
                "deleteReplicaEventLogByRealm", "deleteReplicaSubjectsByRealm", "deleteReplicaPositionsByRealm",
                "deleteReplicaDeadLettersByRealm", "deleteReplicaLinkByRealm", "deleteReplicaLinkTransitionsByRealm",
                "deleteReplicaSeveredSignInsByRealm", "deleteReplicaOperationsByRealm")) {
            em.createNamedQuery(query).setParameter("realmId", realmId).executeUpdate();
        }
    }
}
