package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.store.Chunks;
import jakarta.persistence.EntityManager;
import org.keycloak.models.jpa.entities.CredentialEntity;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a user holds in Keycloak's tables beyond its own row and attributes: the roles mapped to it
 * directly, the groups it is a member of, and its credentials. Read for many users at once, by user id,
 * for comparing Keycloak's users with their ledgers: one query per kind for a whole repair batch rather
 * than three for every person.
 */
record UserHoldings(Set<String> roleIds, Set<String> groupIds, Map<String, CredentialEntity> credentials) {

    static Map<String, UserHoldings> load(EntityManager em, Collection<String> userIds) {
        Map<String, UserHoldings> found = new HashMap<>();
        Set<String> ids = new HashSet<>(userIds);
        ids.forEach(id -> found.put(id, new UserHoldings(new HashSet<>(), new HashSet<>(), new LinkedHashMap<>())));
        for (List<String> chunk : Chunks.of(ids)) {
            em.createQuery("select m.user.id, m.roleId from UserRoleMappingEntity m where m.user.id in :ids", Object[].class)
                    .setParameter("ids", chunk).getResultList()
                    .forEach(row -> found.get((String) row[0]).roleIds().add((String) row[1]));
            em.createQuery("select m.user.id, m.groupId from UserGroupMembershipEntity m where m.user.id in :ids", Object[].class)
                    .setParameter("ids", chunk).getResultList()
                    .forEach(row -> found.get((String) row[0]).groupIds().add((String) row[1]));
            em.createQuery("select c.user.id, c from CredentialEntity c where c.user.id in :ids order by c.priority", Object[].class)
                    .setParameter("ids", chunk).getResultList()
                    .forEach(row -> found.get((String) row[0]).credentials().put(((CredentialEntity) row[1]).getId(), (CredentialEntity) row[1]));
        }
        return found;
    }
}
