package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Sync operations in Keycloak's database: created once per idempotency key, claimed by one node at a time. */
public final class OperationRows {

    private final EntityManager em;

    public OperationRows(EntityManager em) {
        this.em = em;
    }

    public static OperationRows of(KeycloakSession session) {
        return new OperationRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /** A new operation, or the one that already has this key. */
    public record Started(ReplicaOperationEntity operation, boolean created) {
    }

    public Started start(String componentId, String realmId, String kind, String scope, String requestedBy, String reason,
                         String idempotencyKey, long now) {
        Optional<ReplicaOperationEntity> existing = byKey(componentId, idempotencyKey);
        if (existing.isPresent()) {
            return new Started(existing.get(), false);
        }
        ReplicaOperationEntity operation = new ReplicaOperationEntity();
        operation.setId(UUID.randomUUID().toString());
        operation.setComponentId(componentId);
        operation.setRealmId(realmId);
        operation.setKind(kind);
        operation.setScope(scope);
        operation.setRequestedBy(requestedBy);
        operation.setReason(reason);
        operation.setIdempotencyKey(idempotencyKey);
        operation.setState("QUEUED");
        operation.setNextAttemptAt(now);
        operation.setCreatedAt(now);
        em.persist(operation);
        return new Started(operation, true);
    }

    public Optional<ReplicaOperationEntity> byKey(String componentId, String idempotencyKey) {
        return em.createNamedQuery("replicaOperationByKey", ReplicaOperationEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("key", idempotencyKey)
                .getResultStream().findFirst();
    }

    public Optional<ReplicaOperationEntity> find(String id) {
        return Optional.ofNullable(em.find(ReplicaOperationEntity.class, id));
    }

    /** Newest first. */
    public List<ReplicaOperationEntity> list(Collection<String> componentIds, int first, int max) {
        if (componentIds.isEmpty()) {
            return List.of();
        }
        return em.createNamedQuery("replicaOperationsByComponent", ReplicaOperationEntity.class)
                .setParameter("componentIds", componentIds)
                .setFirstResult(first)
                .setMaxResults(max)
                .getResultList();
    }

    /** The oldest queued or running operation of this kind, if any. */
    public Optional<ReplicaOperationEntity> active(String componentId, String kind) {
        return em.createNamedQuery("replicaOperationsActive", ReplicaOperationEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("kind", kind)
                .setMaxResults(1)
                .getResultStream().findFirst();
    }

    /** The operation of this kind that finished last, if any. */
    public Optional<ReplicaOperationEntity> lastFinished(String componentId, String kind) {
        return em.createNamedQuery("replicaOperationsFinished", ReplicaOperationEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("kind", kind)
                .setMaxResults(1)
                .getResultStream().findFirst();
    }

    /** Ids of operations a node may claim now: queued and due, or running on a lease that ran out. */
    public List<String> due(Collection<String> componentIds, long now) {
        if (componentIds.isEmpty()) {
            return List.of();
        }
        return em.createNamedQuery("replicaOperationsDue", String.class)
                .setParameter("componentIds", componentIds)
                .setParameter("now", now)
                .getResultList();
    }

    /** Claims an operation for this node; false when another node was first (one conditional update decides). */
    public boolean claim(String id, String node, long leaseUntil, long now) {
        return em.createNamedQuery("claimReplicaOperation")
                .setParameter("id", id)
                .setParameter("node", node)
                .setParameter("leaseUntil", leaseUntil)
                .setParameter("now", now)
                .executeUpdate() == 1;
    }

    /**
     * Adds a chunk's counts to the operation, and renews its claim, in one update: the chunks of a full
     * sync commit from several threads, and reading the counts first would lose some.
     */
    public void addProgress(String id, int processed, int added, int updated, int removed, int failed, long leaseUntil) {
        em.createNamedQuery("addReplicaOperationProgress")
                .setParameter("id", id)
                .setParameter("processed", processed)
                .setParameter("added", added)
                .setParameter("updated", updated)
                .setParameter("removed", removed)
                .setParameter("failed", failed)
                .setParameter("leaseUntil", leaseUntil)
                .executeUpdate();
    }
}
