package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Subjects' gaps as the rest of the replica reads them: what waits in a subject's gap buffer (for the
 * gap guard at sign-in), which gaps are past the timeout and when a repair was last tried (for the
 * periodic repair), and the open gaps of a realm (for the pages and gauges). {@link Ledgers} writes
 * the buffer and the gap summary on the subject row.
 */
public final class GapRows {

    private final EntityManager em;

    public GapRows(EntityManager em) {
        this.em = em;
    }

    public static GapRows of(KeycloakSession session) {
        return new GapRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
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
    public Map<ReplicaSubjectEntity, List<ReplicaGapEntity>> open(String realmId, int first, int max) {
        List<ReplicaSubjectEntity> subjects = em.createNamedQuery("replicaSubjectsWithOpenGaps", ReplicaSubjectEntity.class)
                .setParameter("realmId", realmId)
                .setFirstResult(first)
                .setMaxResults(max)
                .getResultList();
        Map<ReplicaSubjectEntity, List<ReplicaGapEntity>> open = new LinkedHashMap<>();
        subjects.forEach(s -> open.put(s, new ArrayList<>()));
        if (!subjects.isEmpty()) {
            Map<String, ReplicaSubjectEntity> byId = new HashMap<>();
            subjects.forEach(s -> byId.put(s.getId(), s));
            em.createNamedQuery("replicaGapsBySubjectIds", ReplicaGapEntity.class)
                    .setParameter("subjectIds", byId.keySet())
                    .getResultList()
                    .forEach(g -> open.get(byId.get(g.getSubjectId())).add(g));
        }
        return open;
    }

    public long countOpen(String realmId) {
        return em.createNamedQuery("replicaCountOpenGaps", Long.class).setParameter("realmId", realmId).getSingleResult();
    }

    /** How many subjects have an open gap, and since when the oldest one is open (null when none). */
    public long[] summary(String componentId) {
        Object[] row = em.createNamedQuery("replicaGapSummary", Object[].class)
                .setParameter("componentId", componentId)
                .getSingleResult();
        long count = row[0] == null ? 0 : ((Number) row[0]).longValue();
        return row[1] == null ? new long[]{count} : new long[]{count, ((Number) row[1]).longValue()};
    }
}
