package io.github.keycloakreplica.store;

import io.github.keycloakreplica.protocol.Fact;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The replica's own rows, read and written through Keycloak's EntityManager so that they commit in the
 * same transaction as the users they describe.
 */
public final class ReplicaStore {

    /** Keeps IN lists well below every database's bind-parameter limit. */
    public static final int IN_CHUNK = 500;

    private final EntityManager em;

    public ReplicaStore(EntityManager em) {
        this.em = em;
    }

    public static ReplicaStore of(KeycloakSession session) {
        return new ReplicaStore(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public Ledgers ledgers() {
        return new Ledgers(em);
    }

    public Optional<SubjectRecord> subject(String componentId, String subject) {
        Map<String, SubjectRecord> found = new Ledgers(em).load(componentId, List.of(subject), s -> null);
        SubjectRecord record = found.get(subject);
        return record == null || record.row() == null ? Optional.empty() : Optional.of(record);
    }

    /** The subject row of a replicated user, if the component has one. */
    public Optional<ReplicaSubjectEntity> subjectOfUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectByUser", ReplicaSubjectEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .getResultStream()
                .findFirst();
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

    /** The subjects of the component that have a Keycloak user now. */
    public List<String> liveSubjects(String componentId) {
        return em.createNamedQuery("replicaLiveSubjects", String.class).setParameter("componentId", componentId).getResultList();
    }

    /** Whether the component replicated this user; reads no row into this transaction's persistence context. */
    public boolean replicatedUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectIdByUser", String.class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .setMaxResults(1)
                .getResultStream()
                .findFirst()
                .isPresent();
    }

    /** A replicated user's subject and its current facts, as {@link #subjectFactsOfUser} reads them. */
    public record UserSubject(String subject, List<Fact> facts) {
    }

    /**
     * A replicated user's subject and current facts, read as values: the row does not join this
     * transaction's persistence context, so a later locked load in the same transaction (the write path
     * applying a confirmation) reads the row as it is then, not as it was here.
     */
    public Optional<UserSubject> subjectFactsOfUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectFactsByUser", Object[].class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .getResultStream()
                .findFirst()
                .map(row -> new UserSubject((String) row[1], FactsColumn.read((String) row[2], (String) row[0])));
    }

    /** Names of the attributes of a subject that have facts waiting in the gap buffer. */
    public List<String> attributesWithGaps(String subjectRowId) {
        return em.createNamedQuery("replicaGapAttributeNames", String.class)
                .setParameter("subjectId", subjectRowId)
                .getResultList();
    }

    /** Whether a deletion of the subject (its username going absent) waits in its gap buffer. */
    public boolean deletionWaiting(String subjectRowId) {
        return em.createNamedQuery("replicaGapDeletionWaiting", Long.class)
                .setParameter("subjectId", subjectRowId)
                .getSingleResult() > 0;
    }

    // subjects waiting for a username another subject holds

    /** The subjects of the component waiting for one of these usernames (lower case). */
    public List<String> subjectsParkedOn(String componentId, Collection<String> usernames) {
        return subjectsByComponentIn("replicaSubjectsParkedOn", componentId, "usernames", usernames);
    }

    /** Subjects waiting for a username that no other user of the realm holds any more, longest waiting first. */
    public List<String> parkedSubjectsWithFreeUsername(String componentId, int max) {
        return em.createNamedQuery("replicaParkedSubjectsFree", String.class)
                .setParameter("componentId", componentId)
                .setMaxResults(max)
                .getResultList();
    }

    /** Subjects waiting for a username, each to the subject whose user holds it now (oldest waits first). */
    public Map<String, String> parkedWaits(String componentId, int max) {
        Map<String, String> waits = new LinkedHashMap<>();
        em.createNamedQuery("replicaParkedWaits", Object[].class)
                .setParameter("componentId", componentId)
                .setMaxResults(max)
                .getResultList()
                .forEach(row -> waits.put((String) row[0], (String) row[1]));
        return waits;
    }

    /** The subjects holding the usernames these subjects wait for. */
    public List<String> parkedHolders(String componentId, Collection<String> subjects) {
        return subjectsByComponentIn("replicaParkedHolders", componentId, "subjects", subjects);
    }

    /** A named query of subjects of a component with an IN list, run in chunks the database accepts. */
    private List<String> subjectsByComponentIn(String query, String componentId, String parameter, Collection<String> values) {
        List<String> all = new ArrayList<>(values);
        List<String> found = new ArrayList<>();
        for (int i = 0; i < all.size(); i += IN_CHUNK) {
            found.addAll(em.createNamedQuery(query, String.class)
                    .setParameter("componentId", componentId)
                    .setParameter(parameter, all.subList(i, Math.min(all.size(), i + IN_CHUNK)))
                    .getResultList());
        }
        return found;
    }

    /** The subject a replicated user was made from, read as a value. */
    public Optional<String> subjectNameOfUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectNameByUser", String.class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .setMaxResults(1)
                .getResultStream()
                .findFirst();
    }

    /** Notes a repair attempt of a subject, so that the gap timeout passes again before the next one. */
    public void markRepaired(String componentId, String subject, long now) {
        em.createNamedQuery("replicaSubjectMarkRepaired")
                .setParameter("componentId", componentId)
                .setParameter("subject", subject)
                .setParameter("now", now)
                .executeUpdate();
    }

    /** Subjects whose oldest open gap was opened at or before the cutoff, oldest first. */
    public List<String> subjectsWithGapsSince(String componentId, long cutoff, int max) {
        return em.createNamedQuery("replicaSubjectsWithGapsSince", String.class)
                .setParameter("componentId", componentId)
                .setParameter("cutoff", cutoff)
                .setMaxResults(max)
                .getResultList();
    }

    /** The realm's subjects with an open gap, the oldest gap first, with what waits in their gap buffers. */
    public Map<ReplicaSubjectEntity, List<ReplicaGapEntity>> openGaps(String realmId, int first, int max) {
        List<ReplicaSubjectEntity> subjects = em.createNamedQuery("replicaSubjectsWithOpenGaps", ReplicaSubjectEntity.class)
                .setParameter("realmId", realmId)
                .setFirstResult(first)
                .setMaxResults(max)
                .getResultList();
        Map<ReplicaSubjectEntity, List<ReplicaGapEntity>> open = new java.util.LinkedHashMap<>();
        subjects.forEach(s -> open.put(s, new ArrayList<>()));
        if (!subjects.isEmpty()) {
            Map<String, ReplicaSubjectEntity> byId = new java.util.HashMap<>();
            subjects.forEach(s -> byId.put(s.getId(), s));
            em.createNamedQuery("replicaGapsBySubjectIds", ReplicaGapEntity.class)
                    .setParameter("subjectIds", byId.keySet())
                    .getResultList()
                    .forEach(g -> open.get(byId.get(g.getSubjectId())).add(g));
        }
        return open;
    }

    public long countOpenGaps(String realmId) {
        return em.createNamedQuery("replicaCountOpenGaps", Long.class).setParameter("realmId", realmId).getSingleResult();
    }

    /** How many subjects have an open gap, and since when the oldest one is open (null when none). */
    public long[] gapSummary(String componentId) {
        Object[] row = em.createNamedQuery("replicaGapSummary", Object[].class)
                .setParameter("componentId", componentId)
                .getSingleResult();
        long count = row[0] == null ? 0 : ((Number) row[0]).longValue();
        return row[1] == null ? new long[]{count} : new long[]{count, ((Number) row[1]).longValue()};
    }

    // event log

    public void log(ReplicaSubjectEntity subject, String eventId, String eventType, String versions, String outcome, String detail,
                    String origin, long now, int sequence) {
        logCounted(subject, eventId, eventType, versions, outcome, detail, origin, now, sequence);
        subject.setLogSize(subject.getLogSize() + 1);
    }

    /** A line the subject's row counts already (see {@link SubjectRecord#countLogLines}). */
    public void logCounted(ReplicaSubjectEntity subject, String eventId, String eventType, String versions, String outcome, String detail,
                           String origin, long now, int sequence) {
        ReplicaEventLogEntity row = new ReplicaEventLogEntity();
        row.setId(UUID.randomUUID().toString());
        row.setSubjectId(subject.getId());
        row.setEventId(truncate(eventId, 255));
        row.setEventType(truncate(eventType, 255));
        row.setVersions(truncate(versions, 2048));
        row.setOutcome(outcome);
        row.setDetail(truncate(detail, 2048));
        row.setOrigin(truncate(origin, 255));
        row.setLoggedAt(now);
        row.setSequence(sequence);
        em.persist(row);
    }

    /** Keeps a subject's log at most {@code keep} long, deleting the oldest lines once it grew a quarter past. */
    public void pruneLog(ReplicaSubjectEntity subject, int keep) {
        int excess = subject.getLogSize() - keep;
        if (excess <= keep / 4) {
            return;
        }
        List<String> oldest = em.createNamedQuery("replicaEventLogOldest", String.class)
                .setParameter("subjectId", subject.getId())
                .setMaxResults(excess)
                .getResultList();
        if (!oldest.isEmpty()) {
            em.createNamedQuery("deleteReplicaEventLogByIds").setParameter("ids", oldest).executeUpdate();
        }
        subject.setLogSize(subject.getLogSize() - oldest.size());
    }

    public List<ReplicaEventLogEntity> eventLog(String subjectId, int max) {
        return em.createNamedQuery("replicaEventLogBySubject", ReplicaEventLogEntity.class)
                .setParameter("subjectId", subjectId)
                .setMaxResults(max)
                .getResultList();
    }

    // unresolved entitlements

    /** The unresolved entitlements of these subjects, by subject row id, for {@link #setUnresolved}. */
    public Map<String, List<ReplicaUnresolvedEntity>> unresolvedBySubject(Collection<String> subjectIds) {
        Map<String, List<ReplicaUnresolvedEntity>> found = new HashMap<>();
        List<String> ids = new ArrayList<>(subjectIds);
        for (int i = 0; i < ids.size(); i += IN_CHUNK) {
            em.createNamedQuery("replicaUnresolvedBySubjectIds", ReplicaUnresolvedEntity.class)
                    .setParameter("subjectIds", ids.subList(i, Math.min(ids.size(), i + IN_CHUNK)))
                    .getResultList()
                    .forEach(row -> found.computeIfAbsent(row.getSubjectId(), id -> new ArrayList<>()).add(row));
        }
        return found;
    }

    /**
     * Makes what one entitlement attribute of a subject could not resolve exactly {@code entitlements},
     * given the subject's rows as loaded by {@link #unresolvedBySubject} (which it keeps up to date).
     * Writes only the difference: almost every apply resolves everything and changes nothing here.
     */
    public void setUnresolved(ReplicaSubjectEntity subject, String attribute, Collection<String> entitlements,
                              List<ReplicaUnresolvedEntity> current, long now) {
        Set<String> wanted = new LinkedHashSet<>();
        entitlements.forEach(e -> wanted.add(truncate(e, 1024)));
        current.removeIf(row -> {
            if (!row.getAttribute().equals(attribute) || wanted.remove(row.getEntitlement())) {
                return false;
            }
            em.remove(row);
            return true;
        });
        for (String entitlement : wanted) {
            ReplicaUnresolvedEntity row = new ReplicaUnresolvedEntity();
            row.setId(UUID.randomUUID().toString());
            row.setSubjectId(subject.getId());
            row.setComponentId(subject.getComponentId());
            row.setRealmId(subject.getRealmId());
            row.setAttribute(attribute);
            row.setEntitlement(entitlement);
            row.setSince(now);
            em.persist(row);
            current.add(row);
        }
    }

    public List<ReplicaUnresolvedEntity> unresolved(String subjectId) {
        return em.createNamedQuery("replicaUnresolvedBySubject", ReplicaUnresolvedEntity.class)
                .setParameter("subjectId", subjectId)
                .getResultList();
    }

    /** The subjects (as the upstream names them) that have unresolved entitlements. */
    public List<String> subjectsWithUnresolved(String componentId) {
        return em.createNamedQuery("replicaUnresolvedSubjects", String.class)
                .setParameter("componentId", componentId)
                .getResultList();
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

    // clean-up when a component or a realm goes away

    public void forgetComponent(String componentId) {
        for (String query : List.of("deleteReplicaUnresolvedByComponent", "deleteReplicaGapsByComponent",
                "deleteReplicaEventLogByComponent", "deleteReplicaSubjectsByComponent",
                "deleteReplicaPositionsByComponent", "deleteReplicaDeadLettersByComponent",
                "deleteReplicaLinkByComponent", "deleteReplicaLinkTransitionsByComponent", "deleteReplicaSeveredSignInsByComponent",
                "deleteReplicaOperationsByComponent")) {
            em.createNamedQuery(query).setParameter("componentId", componentId).executeUpdate();
        }
    }

    public void forgetRealm(String realmId) {
        for (String query : List.of("deleteReplicaUnresolvedByRealm", "deleteReplicaGapsByRealm",
                "deleteReplicaEventLogByRealm", "deleteReplicaSubjectsByRealm", "deleteReplicaPositionsByRealm",
                "deleteReplicaDeadLettersByRealm", "deleteReplicaLinkByRealm", "deleteReplicaLinkTransitionsByRealm",
                "deleteReplicaSeveredSignInsByRealm", "deleteReplicaOperationsByRealm")) {
            em.createNamedQuery(query).setParameter("realmId", realmId).executeUpdate();
        }
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max - 1) + "…";
    }
}
