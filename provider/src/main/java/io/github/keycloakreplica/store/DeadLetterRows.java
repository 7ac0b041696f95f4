package io.github.keycloakreplica.store;

import io.github.keycloakreplica.stream.LogSafe;
import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.List;
import java.util.UUID;

/** Dead letters: records that could not be applied, kept for people to read, and dropped past their retention. */
public final class DeadLetterRows {

    private final EntityManager em;

    public DeadLetterRows(EntityManager em) {
        this.em = em;
    }

    public static DeadLetterRows of(KeycloakSession session) {
        return new DeadLetterRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /**
     * Keeps a record that could not be applied. Every text is stored with its control characters escaped:
     * a NUL that PostgreSQL refuses must not make the dead letter itself fail, nor a newline forge lines
     * where people read it.
     */
    public void deadLetter(String componentId, String realmId, RecordOrigin origin, DeadLetterEntry entry, long now) {
        ReplicaDeadLetterEntity row = new ReplicaDeadLetterEntity();
        row.setId(UUID.randomUUID().toString());
        row.setComponentId(componentId);
        row.setRealmId(realmId);
        row.setOrigin(new RecordOrigin(ColumnText.truncate(LogSafe.escapeWhole(origin.getTopic()), 255), origin.getPartition(), origin.getOffset()));
        row.setRecordKey(ColumnText.truncate(LogSafe.escapeWhole(entry.recordKey()), 255));
        row.setEventId(ColumnText.truncate(LogSafe.escapeWhole(entry.eventId()), 255));
        row.setEventType(ColumnText.truncate(LogSafe.escapeWhole(entry.eventType()), 255));
        row.setReason(ColumnText.truncate(LogSafe.escapeWhole(entry.reason()), 2048));
        row.setPayload(LogSafe.escapeWhole(entry.redactedPayload()));
        row.setReceivedAt(now);
        em.persist(row);
    }

    /**
     * Drops a component's dead letters older than the cutoff, and the oldest beyond the newest {@code keep}.
     *
     * @return how many were dropped
     */
    public int pruneDeadLetters(String componentId, long cutoff, int keep) {
        int dropped = em.createNamedQuery("deleteReplicaDeadLettersOlderThan")
                .setParameter("componentId", componentId)
                .setParameter("cutoff", cutoff)
                .executeUpdate();
        List<Long> beyond = em.createNamedQuery("replicaDeadLetterTimesByComponent", Long.class)
                .setParameter("componentId", componentId)
                .setFirstResult(keep)
                .setMaxResults(1)
                .getResultList();
        if (!beyond.isEmpty()) {
            // Everything as old as the first one beyond the limit goes: at worst a few more than asked.
            dropped += em.createNamedQuery("deleteReplicaDeadLettersOlderThan")
                    .setParameter("componentId", componentId)
                    .setParameter("cutoff", beyond.get(0) + 1)
                    .executeUpdate();
        }
        return dropped;
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
}
