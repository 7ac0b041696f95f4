package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.List;
import java.util.UUID;

/**
 * Subjects' event logs: what became of each event, repair and gap sign-in, kept per subject for people
 * to read, and pruned to a length so that a busy subject does not grow its log without end.
 */
public final class EventLogRows {

    private final EntityManager em;

    public EventLogRows(EntityManager em) {
        this.em = em;
    }

    public static EventLogRows of(KeycloakSession session) {
        return new EventLogRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /** Adds a line to the subject's log and counts it on the subject's row. */
    public void append(ReplicaSubjectEntity subject, EventLogLine line, long now) {
        appendCounted(subject, line, now, 0);
        subject.setLogSize(subject.getLogSize() + 1);
    }

    /**
     * Adds a line the subject's row counts already (see {@link SubjectRecord#countLogLines}).
     *
     * @param sequence orders the lines written at the same time
     */
    public void appendCounted(ReplicaSubjectEntity subject, EventLogLine line, long now, int sequence) {
        ReplicaEventLogEntity row = new ReplicaEventLogEntity();
        row.setId(UUID.randomUUID().toString());
        row.setSubjectId(subject.getId());
        row.setEventId(ColumnText.truncate(line.eventId(), 255));
        row.setEventType(ColumnText.truncate(line.eventType(), 255));
        row.setVersions(ColumnText.truncate(line.versions(), 2048));
        row.setOutcome(line.outcome());
        row.setDetail(ColumnText.truncate(line.detail(), 2048));
        row.setOrigin(ColumnText.truncate(line.origin(), 255));
        row.setLoggedAt(now);
        row.setSequence(sequence);
        em.persist(row);
    }

    /** Keeps a subject's log at most {@code keep} long, deleting the oldest lines once it grew a quarter past. */
    public void prune(ReplicaSubjectEntity subject, int keep) {
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

    public List<ReplicaEventLogEntity> lines(String subjectId, int max) {
        return em.createNamedQuery("replicaEventLogBySubject", ReplicaEventLogEntity.class)
                .setParameter("subjectId", subjectId)
                .setMaxResults(max)
                .getResultList();
    }
}
