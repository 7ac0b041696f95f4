package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The delta topics' consumer positions, stored with the users they describe: a batch's users and the
 * position past it commit in one transaction, so a restart resumes exactly where the last committed
 * batch ended. Kafka's committed offsets are only a copy for monitoring tools.
 */
public final class PositionRows {

    private final EntityManager em;

    public PositionRows(EntityManager em) {
        this.em = em;
    }

    public static PositionRows of(KeycloakSession session) {
        return new PositionRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public List<PartitionPosition> read(String componentId) {
        return em.createNamedQuery("replicaPositionsByComponent", ReplicaPositionEntity.class)
                .setParameter("componentId", componentId)
                .getResultList()
                .stream()
                .map(p -> new PartitionPosition(p.getTopic(), p.getPartition(), p.getNextOffset()))
                .toList();
    }

    public void save(String componentId, String realmId, Collection<PartitionPosition> positions, long now) {
        Map<String, ReplicaPositionEntity> existing = new HashMap<>();
        em.createNamedQuery("replicaPositionsByComponent", ReplicaPositionEntity.class)
                .setParameter("componentId", componentId)
                .getResultList()
                .forEach(p -> existing.put(new PartitionPosition(p.getTopic(), p.getPartition(), 0).key(), p));
        for (PartitionPosition position : positions) {
            ReplicaPositionEntity row = existing.get(position.key());
            if (row == null) {
                row = new ReplicaPositionEntity();
                row.setId(UUID.randomUUID().toString());
                row.setComponentId(componentId);
                row.setRealmId(realmId);
                row.setTopic(position.topic());
                row.setPartition(position.partition());
                em.persist(row);
            }
            row.setNextOffset(position.nextOffset());
            row.setUpdatedAt(now);
        }
    }
}
