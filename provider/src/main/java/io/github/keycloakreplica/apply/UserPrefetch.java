package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.store.Chunks;
import jakarta.persistence.EntityManager;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.jpa.entities.UserEntity;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one apply transaction read about its users at once, so that applying each subject does not
 * query for its user on its own: which users exist (and which do not, so finding them costs nothing),
 * and for projections the roles, memberships and credentials each holds. What was read of a user is
 * only good until the user is first written, which {@link #touch} tells.
 */
final class UserPrefetch {

    private final EntityManager em;
    private final RealmModel realm;
    private final UserProvider local;
    /** Users this transaction wrote. */
    private final Set<String> touched = new HashSet<>();
    /** User ids the batch's prefetch did not find: no need to ask the database again until one is created. */
    private final Set<String> absent = new HashSet<>();
    /** Roles, memberships and credentials of users the batch read at once, valid until the user is first written. */
    private final Map<String, UserHoldings> holdings = new HashMap<>();

    UserPrefetch(EntityManager em, RealmModel realm, UserProvider local) {
        this.em = em;
        this.realm = realm;
        this.local = local;
    }

    /**
     * Loads the users of a batch, with their attributes, in one query, so that applying each event finds
     * its user in the persistence context instead of reading it on its own. By primary key alone: with a
     * realm condition beside it, PostgreSQL without statistics (new tables, before autovacuum's first
     * analyze) walked every user of the realm through a realm index for each batch. Hibernate drops the
     * duplicate rows the join fetch gives, so no DISTINCT (and no sort) in SQL.
     *
     * @return the ids of those that exist
     */
    Set<String> prefetch(Collection<String> userIds, Collection<String> assumedAbsent) {
        absent.addAll(assumedAbsent);
        List<String> ids = List.copyOf(new HashSet<>(userIds));
        // Which exist first, by primary key alone: joining the attributes of users that do not exist yet (a
        // full sync into a new replica) is planned without statistics as a scan of every attribute row.
        Set<String> found = new HashSet<>();
        for (List<String> chunk : Chunks.of(ids)) {
            found.addAll(em.createQuery("select u.id from UserEntity u where u.id in :ids", String.class)
                    .setParameter("ids", chunk)
                    .getResultList());
        }
        ids.stream().filter(id -> !found.contains(id)).forEach(absent::add);
        for (List<String> chunk : Chunks.of(found)) {
            em.createQuery("select u from UserEntity u left join fetch u.attributes where u.id in :ids", UserEntity.class)
                    .setParameter("ids", chunk)
                    .getResultList();
        }
        return found;
    }

    /** Reads the roles, memberships and credentials of these existing users at once, for projections. */
    void prefetchHoldings(Collection<String> userIds) {
        List<String> unread = userIds.stream().filter(id -> !holdings.containsKey(id) && !touched.contains(id)).toList();
        if (!unread.isEmpty()) {
            holdings.putAll(UserHoldings.load(em, unread));
        }
    }

    UserModel find(String userId) {
        return absent.contains(userId) ? null : local.getUserById(realm, userId);
    }

    /**
     * Notes that the transaction writes this user now.
     *
     * @return false when it wrote the user before: what was read of it no longer holds
     */
    boolean touch(String userId) {
        return touched.add(userId);
    }

    /** What was read of the user's roles, memberships and credentials, given once; null when nothing (more) was. */
    UserHoldings takeHoldings(String userId) {
        return holdings.remove(userId);
    }

    /** The user exists now: finding it asks the database. */
    void created(String userId) {
        absent.remove(userId);
    }

    /** The user is gone, and what was read of it with it. */
    void deleted(String userId) {
        holdings.remove(userId);
        absent.add(userId);
    }
}
