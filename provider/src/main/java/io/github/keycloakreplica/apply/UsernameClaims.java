package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.store.Chunks;
import jakarta.persistence.EntityManager;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who holds which username within one apply transaction. In Keycloak's batch mode queries do not see
 * the transaction's unflushed writes, so a username is checked against what the transaction has given
 * and taken already as well as against the database. A username held by another subject of the same
 * component is a move the holder's own change has not brought yet ({@link UsernameHeldException}: the
 * subject waits); one held by any other user can never be given ({@link EventRejectedException}).
 */
final class UsernameClaims {

    private final EntityManager em;
    private final RealmModel realm;
    private final String componentId;
    private final UserProvider local;
    /** Usernames this transaction gave, to the user id that holds each now. */
    private final Map<String, String> claimed = new HashMap<>();
    /** The other way round: the username each user of this transaction was last given. */
    private final Map<String, String> claimedBy = new HashMap<>();
    /** Usernames looked up for the whole batch at once, to the id of the user that held each (null: free) at its start. */
    private final Map<String, String> held = new HashMap<>();
    /** Usernames this transaction took from a user (renamed away, or the user deleted), in order. */
    private final Set<String> released = new LinkedHashSet<>();
    private boolean trustUniqueKey;

    UsernameClaims(EntityManager em, RealmModel realm, String componentId, UserProvider local) {
        this.em = em;
        this.realm = realm;
        this.componentId = componentId;
        this.local = local;
    }

    static String normalize(String username) {
        return username.toLowerCase(Locale.ROOT);
    }

    /** A bulk load: the realm's unique key on usernames decides, except among the names this transaction gives. */
    void trustUniqueKey() {
        trustUniqueKey = true;
    }

    /**
     * Looks up, in one query, which of these usernames the realm's users hold, so that checking each new
     * or renamed user's username does not cost a query of its own.
     */
    void prefetch(Collection<String> usernames) {
        List<String> names = usernames.stream().map(UsernameClaims::normalize).filter(n -> !held.containsKey(n)).distinct().toList();
        for (List<String> chunk : Chunks.of(names)) {
            chunk.forEach(n -> held.put(n, null));
            em.createQuery("select u.username, u.id from UserEntity u where u.realmId = :realmId and u.username in :names", Object[].class)
                    .setParameter("realmId", realm.getId())
                    .setParameter("names", chunk)
                    .getResultList()
                    .forEach(row -> held.put((String) row[0], (String) row[1]));
        }
    }

    /**
     * @throws UsernameHeldException  when another subject of this component holds it
     * @throws EventRejectedException when a user this component does not replicate holds it
     */
    void checkFree(String username, String userId) {
        String claimer = claimed.get(username);
        if (claimer != null) {
            if (!claimer.equals(userId)) {
                throw new UsernameHeldException(username, claimer);
            }
            return;
        }
        if (trustUniqueKey) {
            return;
        }
        if (released.contains(username)) {
            // Its holder let go of it in this transaction. Write that now: at commit Hibernate inserts new
            // users before it updates old ones, and the realm's unique key would refuse the insert.
            em.flush();
            return;
        }
        if (held.containsKey(username)) {
            String holderId = held.get(username);
            if (holderId == null || holderId.equals(userId)) {
                // Free when the batch began, and nobody in it has claimed it since.
                return;
            }
        }
        UserModel holder = local.getUserByUsername(realm, username);
        if (holder == null || holder.getId().equals(userId)) {
            return;
        }
        if (!username.equals(holder.getUsername())) {
            // The query matched the database's name, which this transaction has changed already.
            em.flush();
            return;
        }
        if (componentId.equals(holder.getFederationLink())) {
            throw new UsernameHeldException(username, holder.getId());
        }
        throw new EventRejectedException("username '" + username + "' is already held by a user that is not replicated from this upstream "
                + "(user id " + holder.getId() + ")");
    }

    /** A user of this transaction was given a username (created, or renamed). */
    void claim(String username, String userId) {
        String previous = claimedBy.put(userId, username);
        if (previous != null && !previous.equals(username) && claimed.remove(previous, userId)) {
            released.add(previous);
        }
        claimed.put(username, userId);
        released.remove(username);
    }

    /** A user lets go of a username: renamed away from it, or deleted. */
    void letGo(String username, String userId) {
        if (username == null) {
            return;
        }
        claimed.remove(username, userId);
        claimedBy.remove(userId, username);
        released.add(username);
    }

    /** Usernames let go of in this transaction and given to nobody since, in the order they were let go. */
    Set<String> released() {
        return Set.copyOf(released);
    }
}
