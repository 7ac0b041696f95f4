package io.github.keycloakreplica.store;

import io.github.keycloakreplica.protocol.Fact;
import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Subjects read outside a batch's locked load ({@link Ledgers}): one subject for the pages, the subject
 * of a Keycloak user for the sign-in and credential paths, and the subjects waiting for a username
 * another subject holds.
 */
public final class SubjectRows {

    private final EntityManager em;

    public SubjectRows(EntityManager em) {
        this.em = em;
    }

    public static SubjectRows of(KeycloakSession session) {
        return new SubjectRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    public Optional<SubjectRecord> subject(String componentId, String subject) {
        Map<String, SubjectRecord> found = new Ledgers(em).load(componentId, List.of(subject), s -> null);
        SubjectRecord record = found.get(subject);
        return record == null || record.row() == null ? Optional.empty() : Optional.of(record);
    }

    /** The subject row of a replicated user, if the component has one. */
    public Optional<ReplicaSubjectEntity> ofUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectByUser", ReplicaSubjectEntity.class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .getResultStream()
                .findFirst();
    }

    /** The subjects of the component that have a Keycloak user now. */
    public List<String> live(String componentId) {
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

    /** A replicated user's subject and its current facts, as {@link #factsOfUser} reads them. */
    public record UserSubject(String subject, List<Fact> facts) {
    }

    /**
     * A replicated user's subject and current facts, read as values: the row does not join this
     * transaction's persistence context, so a later locked load in the same transaction (the write path
     * applying a confirmation) reads the row as it is then, not as it was here.
     */
    public Optional<UserSubject> factsOfUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectFactsByUser", Object[].class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .getResultStream()
                .findFirst()
                .map(row -> new UserSubject((String) row[1], FactsColumn.read((String) row[2], (String) row[0])));
    }

    /** The subject a replicated user was made from, read as a value. */
    public Optional<String> nameOfUser(String componentId, String userId) {
        return em.createNamedQuery("replicaSubjectNameByUser", String.class)
                .setParameter("componentId", componentId)
                .setParameter("userId", userId)
                .setMaxResults(1)
                .getResultStream()
                .findFirst();
    }

    // subjects waiting for a username another subject holds

    /** The subjects of the component waiting for one of these usernames (lower case). */
    public List<String> parkedOn(String componentId, Collection<String> usernames) {
        return byComponentIn("replicaSubjectsParkedOn", componentId, "usernames", usernames);
    }

    /** Subjects waiting for a username that no other user of the realm holds any more, longest waiting first. */
    public List<String> parkedWithFreeUsername(String componentId, int max) {
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
        return byComponentIn("replicaParkedHolders", componentId, "subjects", subjects);
    }

    /** A named query of subjects of a component with an IN list, run in chunks the database accepts. */
    private List<String> byComponentIn(String query, String componentId, String parameter, Collection<String> values) {
        List<String> found = new ArrayList<>();
        for (List<String> chunk : Chunks.of(values)) {
            found.addAll(em.createNamedQuery(query, String.class)
                    .setParameter("componentId", componentId)
                    .setParameter(parameter, chunk)
                    .getResultList());
        }
        return found;
    }
}
