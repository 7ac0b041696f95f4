package io.github.keycloakreplica.store;

import jakarta.persistence.EntityManager;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Entitlements (roles, groups) a subject names that this realm could not grant: kept so that they are
 * granted once they exist, and so that people see what a user lacks and why.
 */
public final class UnresolvedRows {

    private final EntityManager em;

    public UnresolvedRows(EntityManager em) {
        this.em = em;
    }

    public static UnresolvedRows of(KeycloakSession session) {
        return new UnresolvedRows(session.getProvider(JpaConnectionProvider.class).getEntityManager());
    }

    /** The unresolved entitlements of these subjects, by subject row id, for {@link #set}. */
    public Map<String, List<ReplicaUnresolvedEntity>> bySubject(Collection<String> subjectIds) {
        Map<String, List<ReplicaUnresolvedEntity>> found = new HashMap<>();
        for (List<String> chunk : Chunks.of(subjectIds)) {
            em.createNamedQuery("replicaUnresolvedBySubjectIds", ReplicaUnresolvedEntity.class)
                    .setParameter("subjectIds", chunk)
                    .getResultList()
                    .forEach(row -> found.computeIfAbsent(row.getSubjectId(), id -> new ArrayList<>()).add(row));
        }
        return found;
    }

    /**
     * Makes what one entitlement attribute of a subject could not resolve exactly {@code entitlements},
     * given the subject's rows as loaded by {@link #bySubject} (which it keeps up to date).
     * Writes only the difference: almost every apply resolves everything and changes nothing here.
     */
    public void set(ReplicaSubjectEntity subject, String attribute, Collection<String> entitlements,
                    List<ReplicaUnresolvedEntity> current, long now) {
        Set<String> wanted = new LinkedHashSet<>();
        entitlements.forEach(e -> wanted.add(ColumnText.truncate(e, 1024)));
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

    public List<ReplicaUnresolvedEntity> ofSubject(String subjectId) {
        return em.createNamedQuery("replicaUnresolvedBySubject", ReplicaUnresolvedEntity.class)
                .setParameter("subjectId", subjectId)
                .getResultList();
    }

    /** The subjects (as the upstream names them) that have unresolved entitlements. */
    public List<String> subjects(String componentId) {
        return em.createNamedQuery("replicaUnresolvedSubjects", String.class)
                .setParameter("componentId", componentId)
                .getResultList();
    }
}
