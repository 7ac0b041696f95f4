package io.github.keycloakreplica.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.link.LinkMonitor;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.stream.StreamCodec;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** A component's link record and its history of state changes, in Keycloak's database. */
public final class LinkRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final EntityManager em;

    public LinkRows(EntityManager em) {
        this.em = em;
    }

    public static LinkRows of(KeycloakSession session) {
        return new LinkRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /** The record, read under a row lock until the transaction ends, so the nodes of a site take turns. */
    public Optional<LinkRecord> lock(String componentId) {
        return Optional.ofNullable(em.find(ReplicaLinkEntity.class, componentId, LockModeType.PESSIMISTIC_WRITE)).map(LinkRows::record);
    }

    /** The record as it is now, without a lock: for the credential gate and the pages. */
    public Optional<LinkRecord> read(String componentId) {
        return Optional.ofNullable(em.find(ReplicaLinkEntity.class, componentId)).map(LinkRows::record);
    }

    public void save(String componentId, String realmId, LinkRecord record, long now) {
        ReplicaLinkEntity row = em.find(ReplicaLinkEntity.class, componentId);
        boolean created = row == null;
        if (created) {
            row = new ReplicaLinkEntity();
            row.setId(componentId);
            row.setRealmId(realmId);
        }
        row.setState(record.state().name());
        row.setSince(record.since());
        row.setCause(ColumnText.truncate(record.cause(), 1024));
        row.setHealthySince(record.healthySince());
        row.setLastHeartbeatAt(record.lastHeartbeatAt());
        row.setHeartbeatInterval(record.heartbeatInterval());
        row.setHeartbeatPositions(record.heartbeatPositions() == null ? null : positionsText(record.heartbeatPositions()));
        row.setCoveredHeartbeatAt(record.coveredHeartbeatAt());
        row.setCreatedAt(record.createdAt());
        row.setDriftExceeded(record.driftExceeded());
        row.setUpdatedAt(now);
        if (created) {
            em.persist(row);
        }
    }

    public void recordTransition(String componentId, String realmId, LinkMonitor.Decision transition, long driftMillis) {
        ReplicaLinkTransitionEntity row = new ReplicaLinkTransitionEntity();
        row.setId(UUID.randomUUID().toString());
        row.setComponentId(componentId);
        row.setRealmId(realmId);
        row.setFromState(transition.previous() == null ? null : transition.previous().name());
        row.setToState(transition.status().state().name());
        row.setChangedAt(transition.status().since());
        row.setCause(ColumnText.truncate(transition.cause(), 1024));
        row.setDriftMillis(driftMillis);
        em.persist(row);
    }

    /** The newest state changes first. */
    public List<ReplicaLinkTransitionEntity> transitions(String componentId, int first, int max) {
        return em.createNamedQuery("replicaLinkTransitions", ReplicaLinkTransitionEntity.class)
                .setParameter("componentId", componentId)
                .setFirstResult(first)
                .setMaxResults(max)
                .getResultList();
    }

    /** When the link last stopped being CONNECTED (the start of the latest severance), or null if it never did. */
    public Long lastLeftConnected(String componentId) {
        return em.createNamedQuery("replicaLinkLastLeftConnected", Long.class)
                .setParameter("componentId", componentId)
                .getSingleResult();
    }

    /** The positions the replica has applied and stored, by topic and partition. */
    public Map<String, Map<Integer, Long>> appliedPositions(String componentId) {
        Map<String, Map<Integer, Long>> applied = new HashMap<>();
        new PositionRows(em).read(componentId)
                .forEach(p -> applied.computeIfAbsent(p.topic(), t -> new HashMap<>()).put(p.partition(), p.nextOffset()));
        return applied;
    }

    private static LinkRecord record(ReplicaLinkEntity row) {
        return new LinkRecord(LinkState.valueOf(row.getState()), row.getSince(), row.getCause(), row.getHealthySince(),
                row.getLastHeartbeatAt(), row.getHeartbeatInterval(),
                row.getHeartbeatPositions() == null ? null : positions(row.getHeartbeatPositions(), row.getId()),
                row.getCoveredHeartbeatAt(), row.getCreatedAt(), row.isDriftExceeded());
    }

    static String positionsText(Map<String, Map<Integer, Long>> positions) {
        return StreamCodec.writePositions(positions).toString();
    }

    static Map<String, Map<Integer, Long>> positions(String text, String componentId) {
        try {
            return StreamCodec.readPositions(JSON.readTree(text));
        } catch (JsonProcessingException | NumberFormatException e) {
            throw new IllegalStateException("HEARTBEAT_POSITIONS of REPLICA_LINK row " + componentId
                    + " cannot be read; were the replica's tables changed by hand?", e);
        }
    }
}
