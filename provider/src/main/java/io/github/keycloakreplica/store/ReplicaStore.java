package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The replica's own rows, read and written through Keycloak's EntityManager so that they commit in the
 * same transaction as the users they describe.
 */
public final class ReplicaStore {

    /** Keeps IN lists well below every database's bind-parameter limit. */
    private static final int IN_CHUNK = 500;

    private final EntityManager em;

    public ReplicaStore(EntityManager em) {
        this.em = em;
    }

    public static ReplicaStore of(KeycloakSession session) {
        return new ReplicaStore(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    // subjects and versions

    public Map<String, StoredSubject> subjects(String componentId, Collection<String> subjects) {
        Map<String, StoredSubject> found = new HashMap<>();
        List<String> all = new ArrayList<>(subjects);
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            List<ReplicaSubjectEntity> rows = em.createNamedQuery("replicaSubjectsBySubject", ReplicaSubjectEntity.class)
                    .setParameter("componentId", componentId)
                    .setParameter("subjects", all.subList(i, Math.min(all.size(), i + IN_CHUNK)))
                    .getResultList();
            Map<String, StoredSubject> byId = new HashMap<>();
            rows.forEach(row -> {
                StoredSubject subject = new StoredSubject(row);
                found.put(row.getSubject(), subject);
                byId.put(row.getId(), subject);
            });
            if (!byId.isEmpty()) {
                em.createNamedQuery("replicaVersionsBySubjectIds", ReplicaVersionEntity.class)
                        .setParameter("subjectIds", byId.keySet())
                        .getResultList()
                        .forEach(v -> byId.get(v.getSubjectId()).add(v));
            }
        }
        return found;
    }

    public StoredSubject createSubject(String componentId, String realmId, String subject, String userId, long now) {
        ReplicaSubjectEntity entity = new ReplicaSubjectEntity();
        entity.setId(UUID.randomUUID().toString());
        entity.setComponentId(componentId);
        entity.setRealmId(realmId);
        entity.setSubject(subject);
        entity.setUserId(userId);
        entity.setUpdatedAt(now);
        em.persist(entity);
        return new StoredSubject(entity);
    }

    public void setVersion(StoredSubject subject, ReplicaVersionEntity.Kind kind, String name, long version,
                           String eventId, String source, long now) {
        ReplicaVersionEntity row = subject.version(kind, name);
        if (row == null) {
            row = new ReplicaVersionEntity();
            row.setId(UUID.randomUUID().toString());
            row.setSubjectId(subject.entity().getId());
            row.setKind(kind);
            row.setName(name);
            em.persist(row);
            subject.add(row);
        }
        row.setVersion(version);
        row.setEventId(eventId);
        row.setSource(source);
        row.setUpdatedAt(now);
        subject.entity().setSource(source);
        subject.entity().setUpdatedAt(now);
    }

    // consumer positions

    public List<PartitionPosition> positions(String componentId) {
        return em.createNamedQuery("replicaPositionsByComponent", ReplicaPositionEntity.class)
                .setParameter("componentId", componentId)
                .getResultList()
                .stream()
                .map(p -> new PartitionPosition(p.getTopic(), p.getPartition(), p.getNextOffset()))
                .toList();
    }

    public void savePositions(String componentId, String realmId, Collection<PartitionPosition> positions, long now) {
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

    // dead letters

    public void deadLetter(String componentId, String realmId, RecordOrigin origin, String recordKey, String eventId,
                           String eventType, String reason, String redactedPayload, long now) {
        ReplicaDeadLetterEntity row = new ReplicaDeadLetterEntity();
        row.setId(UUID.randomUUID().toString());
        row.setComponentId(componentId);
        row.setRealmId(realmId);
        row.setOrigin(origin);
        row.setRecordKey(truncate(recordKey, 255));
        row.setEventId(truncate(eventId, 255));
        row.setEventType(truncate(eventType, 255));
        row.setReason(truncate(reason, 2048));
        row.setPayload(redactedPayload);
        row.setReceivedAt(now);
        em.persist(row);
    }

    public List<ReplicaDeadLetterEntity> deadLetters(String realmId, int first, int max) {
        return em.createNamedQuery("replicaDeadLettersByRealm", ReplicaDeadLetterEntity.class)
                .setParameter("realmId", realmId)
                .setFirstResult(first)
                .setMaxResults(max)
                .getResultList();
    }

    public long countDeadLetters(String realmId) {
        return em.createNamedQuery("countReplicaDeadLettersByRealm", Long.class)
                .setParameter("realmId", realmId)
                .getSingleResult();
    }

    // parked events

    public void park(String componentId, String realmId, String subject, RecordOrigin origin, String eventId,
                     String payload, long now) {
        ReplicaParkedEventEntity row = new ReplicaParkedEventEntity();
        row.setId(UUID.randomUUID().toString());
        row.setComponentId(componentId);
        row.setRealmId(realmId);
        row.setSubject(subject);
        row.setOrigin(origin);
        row.setEventId(eventId);
        row.setPayload(payload);
        row.setParkedAt(now);
        em.persist(row);
    }

    public List<ReplicaParkedEventEntity> parked(String componentId, String subject) {
        return em.createNamedQuery("replicaParkedEventsBySubject", ReplicaParkedEventEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("subject", subject)
                .getResultList();
    }

    public void unpark(String componentId, String subject) {
        em.createNamedQuery("deleteReplicaParkedEventsBySubject")
                .setParameter("componentId", componentId)
                .setParameter("subject", subject)
                .executeUpdate();
    }

    // clean-up when a component or a realm goes away

    public void forgetComponent(String componentId) {
        for (String query : List.of("deleteReplicaVersionsByComponent", "deleteReplicaSubjectsByComponent",
                "deleteReplicaPositionsByComponent", "deleteReplicaDeadLettersByComponent", "deleteReplicaParkedEventsByComponent")) {
            em.createNamedQuery(query).setParameter("componentId", componentId).executeUpdate();
        }
    }

    public void forgetRealm(String realmId) {
        for (String query : List.of("deleteReplicaVersionsByRealm", "deleteReplicaSubjectsByRealm",
                "deleteReplicaPositionsByRealm", "deleteReplicaDeadLettersByRealm", "deleteReplicaParkedEventsByRealm")) {
            em.createNamedQuery(query).setParameter("realmId", realmId).executeUpdate();
        }
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }
}
