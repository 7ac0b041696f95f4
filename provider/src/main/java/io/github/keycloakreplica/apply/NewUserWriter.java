package io.github.keycloakreplica.apply;

import jakarta.persistence.EntityManager;
import org.hibernate.Session;
import org.hibernate.StatelessSession;
import org.keycloak.common.util.Time;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.jpa.UserAdapter;
import org.keycloak.models.jpa.entities.CredentialEntity;
import org.keycloak.models.jpa.entities.UserEntity;
import org.keycloak.models.jpa.entities.UserGroupMembershipEntity;
import org.keycloak.models.jpa.entities.UserRoleMappingEntity;
import org.keycloak.representations.idm.MembershipType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Writes the users an apply creates as Keycloak's JPA entities, directly. Nothing of such a user is in
 * the database yet, so every role mapping, membership and credential row written for it is remembered
 * here and nothing needs reading back: Keycloak's own writes would query before each grant. In a bulk
 * load ({@link #holdRows}) the rows are not even persisted one by one but held until every subject of
 * the transaction is applied, then inserted kind by kind through a Hibernate stateless session on the
 * transaction's own connection: Keycloak's persistence context would only track and dirty-check them,
 * and for a full sync of 100,000 people that bookkeeping was most of the replica's CPU. Kinds are
 * inserted in the order they first came, and a user always comes before its rows, so every foreign key
 * finds its row.
 */
final class NewUserWriter {

    /** Statements per JDBC batch; the PostgreSQL driver can make one multi-row insert of each. */
    private static final int JDBC_BATCH = 250;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String componentId;
    private final EntityManager em;
    /** Users created by the apply in progress, by id, with the rows written for each. */
    private final Map<String, NewUser> created = new HashMap<>();
    /** In a bulk load, the rows of the users it creates by kind, inserted together at the end; null otherwise. */
    private Map<Class<?>, List<Object>> held;

    /** The rows written for one new user, by role id, group id and credential id. */
    private static final class NewUser {
        final Map<String, RoleModel> roles = new LinkedHashMap<>();
        final Map<String, UserGroupMembershipEntity> groups = new LinkedHashMap<>();
        final Map<String, CredentialEntity> credentials = new LinkedHashMap<>();
    }

    NewUserWriter(KeycloakSession session, RealmModel realm, String componentId, EntityManager em) {
        this.session = session;
        this.realm = realm;
        this.componentId = componentId;
        this.em = em;
    }

    /** A bulk load: new users' rows are held for {@link #insertHeld} instead of persisted. */
    void holdRows() {
        held = new LinkedHashMap<>();
    }

    /** Inserts the rows a bulk load held, in the caller's transaction, and forgets them. */
    void insertHeld() {
        if (held == null || held.values().stream().allMatch(List::isEmpty)) {
            return;
        }
        try (StatelessSession inserts = em.unwrap(Session.class).statelessWithOptions().connection().open()) {
            inserts.setJdbcBatchSize(JDBC_BATCH);
            held.values().forEach(inserts::insertMultiple);
        }
        held.clear();
    }

    /**
     * A new user as Keycloak's JPA store writes one, but with its own columns set (by {@code columns})
     * before it is persisted: Hibernate inserts the state an entity has when it is persisted and writes
     * later changes as an update, so a user created and then filled in costs an insert and an update.
     * Default roles and groups as for every new user of the realm, without Keycloak's one-query-per-grant
     * checks (nothing of the user exists yet); no default required actions: a replicated person's
     * credentials are the upstream's business.
     */
    UserModel create(String userId, Consumer<UserModel> columns) {
        UserEntity entity = new UserEntity();
        entity.setId(userId);
        long now = Time.currentTimeMillis();
        entity.setCreatedTimestamp(now);
        entity.setLastModifiedTimestamp(now);
        entity.setRealmId(realm.getId());
        entity.setFederationLink(componentId);
        // Never sent by the upstream: a person it replicates is enabled unless it says otherwise.
        entity.setEnabled(true);
        UserModel user = new UserAdapter(session, realm, em, entity);
        columns.accept(user);
        persist(entity);
        created.put(userId, new NewUser());
        RoleModel defaultRole = realm.getDefaultRole();
        if (defaultRole != null) {
            grant(user, defaultRole);
        }
        for (GroupModel group : realm.getDefaultGroupsStream().toList()) {
            join(user, group);
        }
        return user;
    }

    /** Whether the apply in progress created this user. */
    boolean isNew(String userId) {
        return created.containsKey(userId);
    }

    /** Ends what is remembered of a user: the next apply of it reads it from the database like any other. */
    void forget(String userId) {
        created.remove(userId);
    }

    /**
     * The credential rows written for a user the apply in progress created, by credential id, for the
     * caller to change through {@link #persist} and {@link #remove}; null for any other user.
     */
    Map<String, CredentialEntity> credentialRows(String userId) {
        NewUser user = created.get(userId);
        return user == null ? null : user.credentials;
    }

    /** A row of a user the apply in progress created: held in a bulk load, else persisted. */
    void persist(Object row) {
        if (held != null) {
            held.computeIfAbsent(row.getClass(), kind -> new ArrayList<>()).add(row);
        } else {
            em.persist(row);
        }
    }

    /** Takes back a row of a new user (a credential replaced, a membership left within the same apply). */
    void remove(Object row) {
        if (held != null) {
            List<Object> ofKind = held.get(row.getClass());
            if (ofKind != null) {
                // By identity: Keycloak's entities are equal by key, and a credential replaced keeps its id.
                ofKind.removeIf(each -> each == row);
            }
        } else {
            em.remove(row);
        }
    }

    /**
     * Grants a user this apply created the roles it lacks, from what was granted to it since (nothing of it
     * is in the database to read); false for any other user.
     */
    boolean grantMissing(UserModel user, Set<RoleModel> roles) {
        NewUser rows = created.get(user.getId());
        if (rows == null) {
            return false;
        }
        roles.stream().filter(r -> !rows.roles.containsKey(r.getId())).forEach(r -> grant(user, r));
        return true;
    }

    /** Makes a user this apply created a member of exactly these groups; false for any other user. */
    boolean setGroups(UserModel user, Set<GroupModel> wanted) {
        NewUser rows = created.get(user.getId());
        if (rows == null) {
            return false;
        }
        Set<String> wantedIds = wanted.stream().map(GroupModel::getId).collect(Collectors.toSet());
        new ArrayList<>(rows.groups.keySet()).stream().filter(id -> !wantedIds.contains(id))
                .forEach(id -> remove(rows.groups.remove(id)));
        wanted.stream().filter(group -> !rows.groups.containsKey(group.getId())).forEach(group -> join(user, group));
        return true;
    }

    private void grant(UserModel user, RoleModel role) {
        UserRoleMappingEntity mapping = new UserRoleMappingEntity();
        mapping.setUser(((UserAdapter) user).getEntity());
        mapping.setRoleId(role.getId());
        persist(mapping);
        created.get(user.getId()).roles.put(role.getId(), role);
        RoleModel.RoleGrantedEvent.fire(role, user, session);
    }

    private void join(UserModel user, GroupModel group) {
        UserGroupMembershipEntity membership = new UserGroupMembershipEntity();
        membership.setUser(((UserAdapter) user).getEntity());
        membership.setGroupId(group.getId());
        membership.setMembershipType(MembershipType.UNMANAGED);
        persist(membership);
        created.get(user.getId()).groups.put(group.getId(), membership);
        GroupModel.GroupMemberJoinEvent.fire(group, user, session);
    }
}
