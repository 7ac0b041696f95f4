package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.VersionedValue;
import jakarta.persistence.EntityManager;
import org.keycloak.component.ComponentModel;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.UserCredentialStore;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserManager;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.cache.UserCache;
import org.keycloak.models.jpa.JpaModel;
import org.keycloak.models.jpa.JpaUserProvider;
import org.keycloak.models.jpa.UserAdapter;
import org.keycloak.models.jpa.entities.CredentialEntity;
import org.keycloak.models.jpa.entities.UserAttributeEntity;
import org.keycloak.models.jpa.entities.UserEntity;
import org.keycloak.models.jpa.entities.UserGroupMembershipEntity;
import org.keycloak.models.jpa.entities.UserRoleMappingEntity;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.representations.idm.MembershipType;
import org.keycloak.storage.UserStoragePrivateUtil;
import org.keycloak.storage.UserStorageUtil;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Writes replicated state into Keycloak's own user tables, the way Keycloak's LDAP import does: through
 * the local user storage, bypassing the read-only view every other caller gets, and evicting the user
 * from the cache so the next request reads what was written. Every write sets what the ledger says
 * (never adds to what is there), so writing a change twice, or a whole {@link UserChange.Project}ion over
 * a user that is already right, changes nothing.
 *
 * <p>It runs in Keycloak's batch mode (see {@code StreamApplier}): queries do not see this transaction's
 * unflushed writes. So it flushes before it touches a user a second time and before it deletes one, and
 * it checks usernames against what the transaction has already claimed as well as against the database.
 * Why one class: the fresh-user bookkeeping (rows written for users created in this transaction, read
 * back by nothing) is shared by every kind of write, and splitting it would spread one invariant over
 * several classes.
 */
final class UserWriter {

    /** Where a subject that is not a usable Keycloak id is kept on the user it maps to. */
    public static final String SUBJECT_ATTRIBUTE = "replicaSubject";

    /** Attributes of a replicated user that are the site's, not the upstream's (see ReplicaUserView). */
    private static final Set<String> LOCAL_ATTRIBUTES = Set.of(SUBJECT_ATTRIBUTE, UserModel.LOCALE);

    /** The entities of a user's own rows that reference it, as the replica writes them. */
    private static final List<String> USER_ROWS = List.of("UserRoleMappingEntity", "UserGroupMembershipEntity", "CredentialEntity");

    /** JpaUserCredentialStore's distance between two credentials' priorities. */
    private static final int CREDENTIAL_PRIORITY_STEP = 10;

    /**
     * What writing one subject's changes did.
     *
     * @param unresolved per entitlement attribute it set, what this realm did not have
     * @param created    whether it created the user
     * @param removed    whether it removed the user
     * @param corrected  for a projection over an existing user, the parts that differed from the ledger
     */
    record Written(Map<String, List<String>> unresolved, boolean created, boolean removed, List<String> corrected) {
    }

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String componentId;
    private final UserProvider local;
    private final CredentialFormat credentialFormat;
    private final EntityManager em;
    private final UsernameClaims usernames;
    /** What the stream may grant: administrative roles and groups only where the component's setting says so. */
    private final EntitlementGuard guard;
    /** Group paths resolved in this transaction: walking the group tree per user and path is most of a batch's CPU. */
    private final Map<String, Optional<GroupModel>> groupsByPath = new HashMap<>();
    /** Users this transaction wrote. */
    private final Set<String> touched = new HashSet<>();
    /** User ids the batch's prefetch did not find: no need to ask the database again until one is created. */
    private final Set<String> absent = new HashSet<>();
    /** Roles, memberships and credentials of users the batch read at once, valid until the user is first written. */
    private final Map<String, UserHoldings> holdings = new HashMap<>();
    /**
     * Users created by the apply in progress, with every role mapping, membership and credential row
     * written for them: nothing of theirs is in the database yet, so nothing needs reading back.
     */
    private final Map<String, Fresh> fresh = new HashMap<>();
    private boolean trustUniqueUsernames;
    /** In a bulk load, the rows of the users it creates, inserted together at the end; null otherwise. */
    private NewUserRows newUserRows;

    private static final class Fresh {
        final Map<String, RoleModel> roles = new LinkedHashMap<>();
        final Map<String, UserGroupMembershipEntity> groups = new LinkedHashMap<>();
        final Map<String, CredentialEntity> credentials = new LinkedHashMap<>();
    }

    /** The component's ceiling; a stored value that no longer parses (the component form refuses one) counts as the default. */
    private static int hashCostFactor(ComponentModel component) {
        try {
            return CredentialSanity.costFactorSetting(component == null ? null : component.get(CredentialSanity.SETTING));
        } catch (IllegalArgumentException e) {
            return CredentialSanity.DEFAULT_MAX_HASH_COST_FACTOR;
        }
    }

    UserWriter(KeycloakSession session, RealmModel realm, String componentId) {
        this.session = session;
        this.realm = realm;
        this.componentId = componentId;
        this.local = UserStoragePrivateUtil.userLocalStorage(session);
        ComponentModel component = realm.getComponent(componentId);
        this.credentialFormat = new CredentialFormat(session, new CredentialSanity(hashCostFactor(component)));
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        this.usernames = new UsernameClaims(em, realm, componentId, local);
        this.guard = EntitlementGuard.of(realm,
                EntitlementGuard.Allowance.parse(component == null ? null : component.get(EntitlementGuard.SETTING)));
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
        for (int i = 0; i < ids.size(); i += ReplicaStore.IN_CHUNK) {
            found.addAll(em.createQuery("select u.id from UserEntity u where u.id in :ids", String.class)
                    .setParameter("ids", ids.subList(i, Math.min(ids.size(), i + ReplicaStore.IN_CHUNK)))
                    .getResultList());
        }
        ids.stream().filter(id -> !found.contains(id)).forEach(absent::add);
        List<String> existing = List.copyOf(found);
        for (int i = 0; i < existing.size(); i += ReplicaStore.IN_CHUNK) {
            em.createQuery("select u from UserEntity u left join fetch u.attributes where u.id in :ids", UserEntity.class)
                    .setParameter("ids", existing.subList(i, Math.min(existing.size(), i + ReplicaStore.IN_CHUNK)))
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

    /**
     * Gives a user a username no subject can be given (it holds a character the stream refuses), so that
     * the name it held goes to the subject waiting for it: how a rotation of usernames is broken.
     *
     * @return the username it let go of, or null when the user does not exist
     */
    String moveAside(String userId) {
        UserModel user = find(userId);
        if (user == null) {
            return null;
        }
        String before = user.getUsername();
        String aside = MOVED_ASIDE_PREFIX + userId;
        user.setUsername(aside);
        usernames.letGo(before, userId);
        usernames.claim(aside, userId);
        return before;
    }

    /** Ends in the user id; the tab makes it a name the stream's schema never lets through. */
    static final String MOVED_ASIDE_PREFIX = "moving\t";

    UserModel find(String userId) {
        return absent.contains(userId) ? null : local.getUserById(realm, userId);
    }

    /**
     * A bulk load: leaves usernames to the realm's unique key, but for those this transaction gives twice
     * (see StreamApplier), and holds new users' rows for {@link #insertNewUsers} instead of persisting them.
     */
    void trustUniqueUsernames() {
        trustUniqueUsernames = true;
        usernames.trustUniqueKey();
        newUserRows = new NewUserRows();
    }

    boolean trustsUniqueUsernames() {
        return trustUniqueUsernames;
    }

    /** Inserts the rows of the users a bulk load created; call once every subject of the transaction is applied. */
    void insertNewUsers() {
        if (newUserRows != null) {
            newUserRows.insert(em);
        }
    }

    /** A row of a user the apply in progress created: held in a bulk load, else persisted. */
    private void persistFresh(Object row) {
        if (newUserRows != null) {
            newUserRows.add(row);
        } else {
            em.persist(row);
        }
    }

    private void removeFresh(Object row) {
        if (newUserRows != null) {
            newUserRows.remove(row);
        } else {
            em.remove(row);
        }
    }

    /**
     * Looks up, in one query, which of these usernames the realm's users hold, so that checking each new
     * or renamed user's username does not cost a query of its own.
     */
    void prefetchUsernames(Collection<String> names) {
        usernames.prefetch(names);
    }

    /** Usernames this transaction took from users (renamed away from, or deleted) and gave to nobody since. */
    Set<String> releasedUsernames() {
        return usernames.released();
    }

    /**
     * Refuses, before anything is written, changes that Keycloak would refuse half-way.
     *
     * @throws UsernameHeldException  when the username the changes give is held by another subject of this component
     * @throws EventRejectedException when the changes can never apply here
     */
    void check(String userId, List<UserChange> changes) {
        for (UserChange change : changes) {
            Map<String, Fact> attributes = change instanceof UserChange.Create create ? create.attributes()
                    : change instanceof UserChange.Project project ? project.attributes() : null;
            if (attributes != null) {
                UserModel existing = find(userId);
                if (existing != null && !componentId.equals(existing.getFederationLink())) {
                    throw new EventRejectedException("user id " + userId + " belongs to a user that is not replicated by this component");
                }
                Fact username = attributes.get(AttributeName.Kind.USERNAME.reserved());
                if (username != null && username.present()) {
                    usernames.checkFree(UsernameClaims.normalize(username.value().asText()), userId);
                }
            } else if (change instanceof UserChange.SetAttribute set && set.fact().name().equals("username") && set.fact().present()) {
                usernames.checkFree(UsernameClaims.normalize(set.fact().value().asText()), userId);
            }
        }
    }

    void checkCredential(ReplicatedCredential credential) {
        credentialFormat.check(credentialFormat.toModel(credential, credential.id()));
    }

    /** Carries out the changes for one subject. */
    Written apply(String subject, String userId, List<UserChange> changes) {
        Map<String, List<String>> unresolved = new LinkedHashMap<>();
        List<String> corrected = new ArrayList<>();
        boolean created = false;
        boolean removed = false;
        if (!touched.add(userId)) {
            // Keycloak's own reads of this user (role mappings, groups, credentials) go to the database.
            em.flush();
            holdings.remove(userId);
        }
        fresh.remove(userId);
        UserModel user = null;
        for (UserChange change : changes) {
            if (change instanceof UserChange.Create create) {
                UserModel existing = find(userId);
                if (existing == null) {
                    user = create(subject, userId, create.attributes(), create.credentials(), unresolved);
                    created = true;
                } else {
                    user = existing;
                    project(user, create.attributes(), create.credentials(), create.credentials().keySet(), unresolved, corrected);
                }
            } else if (change instanceof UserChange.Project project) {
                UserModel existing = find(userId);
                if (existing == null && project.attributes().containsKey(AttributeName.Kind.USERNAME.reserved())) {
                    user = create(subject, userId, present(project.attributes()), project.credentials(), unresolved);
                    created = true;
                } else if (existing != null) {
                    user = existing;
                    project(user, project.attributes(), project.credentials(), project.changedCredentials(), unresolved, corrected);
                }
            } else if (change instanceof UserChange.Delete) {
                removed |= delete(userId);
                created = false;
                user = null;
            } else {
                user = user != null ? user : find(userId);
                if (user == null) {
                    throw new IllegalStateException("the Keycloak user " + userId + " of live subject " + subject + " is missing");
                }
                if (change instanceof UserChange.SetAttribute set) {
                    setAttribute(user, set.fact(), unresolved);
                } else if (change instanceof UserChange.SetCredentials set) {
                    setCredentials(user, set.credentials(), set.changed(), null);
                }
            }
        }
        fresh.remove(userId);
        if (user != null) {
            evict(user);
        }
        return new Written(unresolved, created, removed && !created, corrected);
    }

    private boolean delete(String userId) {
        UserModel existing = find(userId);
        if (existing == null) {
            return false;
        }
        // Keycloak deletes a user's rows with bulk statements that would miss unflushed ones, and that leave the
        // rows this transaction holds as managed entities (batch mode keeps those of a grant or a join, and those
        // written for a user created here) pointing at a removed user, which Hibernate refuses at the next flush.
        em.flush();
        for (String rows : USER_ROWS) {
            em.createQuery("select r from " + rows + " r where r.user.id = :userId", Object.class).setParameter("userId", userId)
                    .getResultList().forEach(em::remove);
        }
        // Batch mode does not flush before a bulk statement: these deletions first, or they would find their rows gone.
        em.flush();
        usernames.letGo(existing.getUsername(), userId);
        evict(existing);
        new UserManager(session).removeUser(realm, existing, local);
        holdings.remove(userId);
        absent.add(userId);
        return true;
    }

    private static Map<String, Fact> present(Map<String, Fact> facts) {
        Map<String, Fact> present = new LinkedHashMap<>(facts);
        present.values().removeIf(f -> !f.present());
        return present;
    }

    private UserModel create(String subject, String userId, Map<String, Fact> attributes, Map<String, Fact> credentials,
                             Map<String, List<String>> unresolved) {
        UserModel user;
        if (local instanceof JpaUserProvider) {
            user = createFresh(subject, userId, attributes);
            for (Fact fact : attributes.values()) {
                if (!AttributeName.of(fact.name()).isUserColumn()) {
                    setAttribute(user, fact, unresolved);
                }
            }
        } else {
            // Not Keycloak's JPA store: its own way, default roles and groups as for every new user of the realm.
            String username = UsernameClaims.normalize(attributes.get("username").value().asText());
            user = local.addUser(realm, userId, username, true, false);
            absent.remove(userId);
            usernames.claim(username, userId);
            user.setFederationLink(componentId);
            user.setCreatedTimestamp(System.currentTimeMillis());
            if (!userId.equals(subject)) {
                writeUserAttribute(user, SUBJECT_ATTRIBUTE, List.of(subject));
            }
            // Never sent by the upstream: a person it replicates is enabled unless it says otherwise.
            user.setEnabled(true);
            for (Fact fact : attributes.values()) {
                setAttribute(user, fact, unresolved);
            }
        }
        setCredentials(user, credentials, credentials.keySet(), null);
        return user;
    }

    /**
     * A new user as Keycloak's JPA store writes one, but with its own columns set before it is persisted:
     * Hibernate inserts the state an entity has when it is persisted and writes later changes as an update,
     * so a user created and then filled in costs an insert and an update. Default roles and groups as for
     * every new user of the realm, without Keycloak's one-query-per-grant checks (nothing of the user exists
     * yet); no default required actions: a replicated person's credentials are the upstream's business.
     */
    private UserModel createFresh(String subject, String userId, Map<String, Fact> attributes) {
        UserEntity entity = new UserEntity();
        entity.setId(userId);
        long now = org.keycloak.common.util.Time.currentTimeMillis();
        entity.setCreatedTimestamp(now);
        entity.setLastModifiedTimestamp(now);
        entity.setRealmId(realm.getId());
        entity.setFederationLink(componentId);
        // Never sent by the upstream: a person it replicates is enabled unless it says otherwise.
        entity.setEnabled(true);
        UserModel user = new UserAdapter(session, realm, em, entity);
        for (Fact fact : attributes.values()) {
            if (AttributeName.of(fact.name()).isUserColumn()) {
                setAttribute(user, fact, null);
            }
        }
        persistFresh(entity);
        absent.remove(userId);
        fresh.put(userId, new Fresh());
        RoleModel defaultRole = realm.getDefaultRole();
        if (defaultRole != null) {
            grantFresh(user, defaultRole);
        }
        for (GroupModel group : realm.getDefaultGroupsStream().toList()) {
            joinFresh(user, group);
        }
        if (!userId.equals(subject)) {
            writeUserAttribute(user, SUBJECT_ATTRIBUTE, List.of(subject));
        }
        return user;
    }

    /**
     * Makes an existing user equal its ledger: every column, every user attribute (the site's own
     * excepted), the entitlements the ledger names and the credentials. Without a username fact (a
     * subject waiting for its username) the user keeps the one it has.
     *
     * @param corrected collects what differed
     */
    private void project(UserModel user, Map<String, Fact> attributes, Map<String, Fact> credentials, Set<String> changedCredentials,
                         Map<String, List<String>> unresolved, List<String> corrected) {
        UserHoldings held = holdings.remove(user.getId());
        UserProjection.columns(user, attributes).forEach(fact -> {
            setAttribute(user, fact, unresolved);
            corrected.add(fact.name());
        });
        Set<String> named = new HashSet<>();
        for (Fact fact : attributes.values()) {
            AttributeName name = AttributeName.of(fact.name());
            named.add(fact.name());
            if (name.kind() == AttributeName.Kind.USER_ATTRIBUTE) {
                List<String> wanted = new VersionedValue(fact.value(), fact.version()).asList();
                if (!UserProjection.sameValues(user.getAttributeStream(fact.name()).toList(), wanted)) {
                    writeUserAttribute(user, fact.name(), wanted);
                    corrected.add(fact.name());
                }
            }
        }
        for (String extra : user.getAttributes().keySet()) {
            if (!named.contains(extra) && !LOCAL_ATTRIBUTES.contains(extra) && !UserProjection.COLUMNS.contains(extra)) {
                writeUserAttribute(user, extra, List.of());
                corrected.add(extra);
            }
        }
        Set<String> roleIds = held != null ? held.roleIds() : user.getRoleMappingsStream().map(RoleModel::getId).collect(Collectors.toSet());
        if (projectRoles(user, attributes, roleIds, unresolved)) {
            corrected.add("roles");
        }
        Fact groups = attributes.get(AttributeName.Kind.GROUPS.reserved());
        if (groups != null) {
            Set<String> groupIds = held != null ? held.groupIds() : user.getGroupsStream().map(GroupModel::getId).collect(Collectors.toSet());
            List<String> missing = new ArrayList<>();
            Set<GroupModel> wanted = resolveGroups(new VersionedValue(groups.value(), groups.version()).asList(), missing);
            unresolved.put(groups.name(), missing);
            if (!wanted.stream().map(GroupModel::getId).collect(Collectors.toSet()).equals(groupIds)) {
                syncGroups(user, wanted);
                corrected.add(groups.name());
            }
        }
        if (setCredentials(user, credentials, changedCredentials, held)) {
            corrected.add("credentials");
        }
    }

    /**
     * The user's direct role mappings made exactly what the ledger's {@code realmRoles} and
     * {@code clientRoles.*} name (nothing where it names nothing), the realm's default role kept.
     *
     * @return whether anything had to change
     */
    private boolean projectRoles(UserModel user, Map<String, Fact> attributes, Set<String> currentIds,
                                 Map<String, List<String>> unresolved) {
        Set<RoleModel> wanted = new LinkedHashSet<>();
        for (Fact fact : attributes.values()) {
            AttributeName name = AttributeName.of(fact.name());
            List<String> names = new VersionedValue(fact.value(), fact.version()).asList();
            List<String> missing = new ArrayList<>();
            if (name.kind() == AttributeName.Kind.REALM_ROLES) {
                wanted.addAll(resolveRealmRoles(names, missing::add));
            } else if (name.kind() == AttributeName.Kind.CLIENT_ROLES) {
                wanted.addAll(resolveClientRoles(name.clientId(), names, missing::add));
            } else {
                continue;
            }
            unresolved.put(fact.name(), missing);
        }
        // The realm's default role, as every new user of the realm gets it.
        RoleModel defaultRole = realm.getDefaultRole();
        if (defaultRole != null) {
            wanted.add(defaultRole);
        }
        Set<String> wantedIds = wanted.stream().map(RoleModel::getId).collect(Collectors.toSet());
        Map<String, RoleModel> current = new HashMap<>();
        currentIds.forEach(id -> {
            RoleModel role = session.roles().getRoleById(realm, id);
            if (role != null) {
                current.put(id, role);
            }
        });
        if (wantedIds.equals(current.keySet())) {
            return false;
        }
        current.forEach((id, role) -> {
            if (!wantedIds.contains(id)) {
                user.deleteRoleMapping(role);
            }
        });
        wanted.stream().filter(role -> !current.containsKey(role.getId())).forEach(user::grantRole);
        return true;
    }

    private void setAttribute(UserModel user, Fact fact, Map<String, List<String>> unresolved) {
        AttributeName name = AttributeName.of(fact.name());
        VersionedValue value = new VersionedValue(fact.value(), fact.version());
        List<String> missing = new ArrayList<>();
        switch (name.kind()) {
            case USERNAME -> {
                if (!value.isAbsent()) {
                    String before = user.getUsername();
                    user.setUsername(value.asText());
                    if (before != null && !before.equals(user.getUsername())) {
                        usernames.letGo(before, user.getId());
                    }
                    usernames.claim(user.getUsername(), user.getId());
                }
            }
            case EMAIL -> user.setEmail(value.asText());
            case EMAIL_VERIFIED -> user.setEmailVerified(!value.isAbsent() && value.asBoolean());
            case FIRST_NAME -> user.setFirstName(value.asText());
            case LAST_NAME -> user.setLastName(value.asText());
            case ENABLED -> user.setEnabled(value.isAbsent() || value.asBoolean());
            case REALM_ROLES -> syncRealmRoles(user, value.asList(), missing::add);
            case CLIENT_ROLES -> syncClientRoles(user, name.clientId(), value.asList(), missing::add);
            case GROUPS -> syncGroups(user, resolveGroups(value.asList(), missing));
            case USER_ATTRIBUTE -> writeUserAttribute(user, name.name(), value.asList());
        }
        if (name.isEntitlement() && unresolved != null) {
            unresolved.put(fact.name(), missing);
        }
    }

    /**
     * Writes a user attribute in place on Keycloak's JPA entities. {@code UserAdapter.setAttribute} replaces
     * values with a bulk delete, which in batch mode would miss a value written earlier in the same
     * transaction, and which otherwise costs a flush of the whole transaction per attribute.
     */
    private void writeUserAttribute(UserModel user, String name, List<String> values) {
        if (!(user instanceof JpaModel<?> model) || !(model.getEntity() instanceof UserEntity entity)) {
            throw new IllegalStateException("Keycloak's local user storage gave a " + user.getClass().getName()
                    + ", not a JPA user; the replica writes users through Keycloak's JPA store only");
        }
        List<UserAttributeEntity> existing = entity.getAttributes().stream().filter(a -> name.equals(a.getName())).collect(Collectors.toList());
        if (UserProjection.sameValues(existing.stream().map(UserAttributeEntity::getValue).toList(), values)) {
            return;
        }
        int kept = Math.min(existing.size(), values.size());
        for (int i = 0; i < kept; i++) {
            existing.get(i).setValue(values.get(i));
        }
        boolean created = fresh.containsKey(user.getId());
        for (UserAttributeEntity extra : existing.subList(kept, existing.size())) {
            entity.getAttributes().remove(extra);
            if (created) {
                removeFresh(extra);
            } else {
                em.remove(extra);
            }
        }
        for (String value : values.subList(kept, values.size())) {
            UserAttributeEntity attribute = new UserAttributeEntity();
            attribute.setId(KeycloakModelUtils.generateId());
            attribute.setName(name);
            attribute.setValue(value);
            attribute.setUser(entity);
            if (created) {
                persistFresh(attribute);
            } else {
                em.persist(attribute);
            }
            entity.getAttributes().add(attribute);
        }
    }

    /**
     * Makes the user's credentials exactly these (the ledger's projection, by upstream credential id):
     * removes the others, creates the missing ones and those of another type, rewrites the changed ones
     * that differ, and leaves the rest alone, with what sign-in wrote into them (see {@link UserChange}).
     *
     * @param changed upstream ids of the credentials whose facts just changed
     * @param held    the user's credentials as read for the whole batch, or null to read them now
     * @return whether anything had to change
     */
    private boolean setCredentials(UserModel user, Map<String, Fact> wanted, Set<String> changed, UserHoldings held) {
        Set<String> rewrite = new HashSet<>();
        changed.forEach(id -> rewrite.add(SubjectIds.credentialId(id)));
        Map<String, ReplicatedCredential> byKeycloakId = new LinkedHashMap<>();
        wanted.values().forEach(fact -> byKeycloakId.put(SubjectIds.credentialId(fact.name()), SubjectApply.credential(fact)));
        Fresh created = fresh.get(user.getId());
        if (created != null) {
            new ArrayList<>(created.credentials.keySet()).stream().filter(id -> !byKeycloakId.containsKey(id))
                    .forEach(id -> removeFresh(created.credentials.remove(id)));
            byKeycloakId.forEach((id, credential) -> {
                if (!created.credentials.containsKey(id) || rewrite.contains(id)) {
                    putFreshCredential(user, created, id, credentialFormat.toModel(credential, id));
                }
            });
            return true;
        }
        UserCredentialStore store = credentialStore();
        Map<String, StoredCredential> stored = new LinkedHashMap<>();
        if (held != null) {
            held.credentials().values().forEach(c -> stored.put(c.getId(), StoredCredential.of(c)));
        } else {
            store.getStoredCredentialsStream(realm, user).forEach(c -> stored.put(c.getId(), StoredCredential.of(c)));
        }
        boolean written = false;
        for (String id : stored.keySet()) {
            if (!byKeycloakId.containsKey(id)) {
                store.removeStoredCredential(realm, user, id);
                written = true;
            }
        }
        for (Map.Entry<String, ReplicatedCredential> entry : byKeycloakId.entrySet()) {
            StoredCredential existing = stored.get(entry.getKey());
            CredentialModel model = credentialFormat.toModel(entry.getValue(), entry.getKey());
            boolean sameType = existing != null && existing.type().equals(model.getType());
            if (sameType && (!rewrite.contains(entry.getKey()) || existing.matches(entry.getValue()))) {
                continue;
            }
            if (existing != null && !existing.type().equals(model.getType())) {
                store.removeStoredCredential(realm, user, entry.getKey());
                existing = null;
            }
            if (existing == null) {
                store.createCredential(realm, user, model);
            } else {
                store.updateCredential(realm, user, model);
            }
            written = true;
        }
        return written;
    }

    /** A credential as Keycloak's table holds it, to tell whether the ledger's differs. */
    private record StoredCredential(String type, String credentialData, String secretData, Long createdDate, String userLabel) {

        static StoredCredential of(CredentialModel c) {
            return new StoredCredential(c.getType(), c.getCredentialData(), c.getSecretData(), c.getCreatedDate(), c.getUserLabel());
        }

        static StoredCredential of(CredentialEntity c) {
            return new StoredCredential(c.getType(), c.getCredentialData(), c.getSecretData(), c.getCreatedDate(), c.getUserLabel());
        }

        boolean matches(ReplicatedCredential c) {
            // A credential the upstream sent without a creation date got the time it was first written here.
            return type.equals(c.type()) && Objects.equals(credentialData, c.credentialData()) && Objects.equals(secretData, c.secretData())
                    && Objects.equals(userLabel, c.userLabel()) && (c.createdDate() == null || c.createdDate().equals(createdDate));
        }
    }

    /**
     * A new user's credential, written as Keycloak's JPA credential store writes one (priority after the
     * user's others) without the reads it makes first: this user has no rows but the ones written here.
     */
    private void putFreshCredential(UserModel user, Fresh created, String keycloakId, CredentialModel model) {
        CredentialEntity previous = created.credentials.remove(keycloakId);
        if (previous != null) {
            removeFresh(previous);
        }
        CredentialEntity entity = new CredentialEntity();
        entity.setId(keycloakId);
        entity.setCreatedDate(model.getCreatedDate());
        entity.setUserLabel(model.getUserLabel());
        entity.setType(model.getType());
        entity.setSecretData(model.getSecretData());
        entity.setCredentialData(model.getCredentialData());
        entity.setUser(((UserAdapter) user).getEntity());
        entity.setPriority(created.credentials.values().stream().mapToInt(CredentialEntity::getPriority).max().orElse(0) + CREDENTIAL_PRIORITY_STEP);
        persistFresh(entity);
        created.credentials.put(keycloakId, entity);
    }

    private void syncRealmRoles(UserModel user, List<String> wanted, Consumer<String> unresolved) {
        Set<RoleModel> roles = resolveRealmRoles(wanted, unresolved);
        if (grantToFresh(user, roles)) {
            return;
        }
        RoleModel defaultRole = realm.getDefaultRole();
        sync(user, user.getRealmRoleMappingsStream().collect(Collectors.toList()), roles,
                r -> defaultRole == null || !r.getId().equals(defaultRole.getId()));
    }

    /** The realm roles of these names that exist and that the stream may grant; the others go to {@code unresolved}. */
    private Set<RoleModel> resolveRealmRoles(List<String> wanted, Consumer<String> unresolved) {
        return grantable(resolve(wanted, realm::getRole, n -> unresolved.accept("realm role '" + n + "'")), guard::refusal, unresolved);
    }

    /** What the guard lets the stream grant of these; the refusals, with their reasons, go to {@code unresolved}. */
    private static <T> Set<T> grantable(Set<T> found, Function<T, String> refusal, Consumer<String> unresolved) {
        found.removeIf(entitlement -> {
            String why = refusal.apply(entitlement);
            if (why != null) {
                unresolved.accept(why);
            }
            return why != null;
        });
        return found;
    }

    /**
     * Grants a user this apply created the roles it lacks, from what was granted to it since (nothing of it
     * is in the database to read); false for any other user.
     */
    private boolean grantToFresh(UserModel user, Set<RoleModel> roles) {
        Fresh created = fresh.get(user.getId());
        if (created == null) {
            return false;
        }
        roles.stream().filter(r -> !created.roles.containsKey(r.getId())).forEach(r -> grantFresh(user, r));
        return true;
    }

    private void grantFresh(UserModel user, RoleModel role) {
        UserRoleMappingEntity mapping = new UserRoleMappingEntity();
        mapping.setUser(((UserAdapter) user).getEntity());
        mapping.setRoleId(role.getId());
        persistFresh(mapping);
        fresh.get(user.getId()).roles.put(role.getId(), role);
        RoleModel.RoleGrantedEvent.fire(role, user, session);
    }

    private void joinFresh(UserModel user, GroupModel group) {
        UserGroupMembershipEntity membership = new UserGroupMembershipEntity();
        membership.setUser(((UserAdapter) user).getEntity());
        membership.setGroupId(group.getId());
        membership.setMembershipType(MembershipType.UNMANAGED);
        persistFresh(membership);
        fresh.get(user.getId()).groups.put(group.getId(), membership);
        GroupModel.GroupMemberJoinEvent.fire(group, user, session);
    }

    private Set<RoleModel> resolveClientRoles(String clientId, List<String> wanted, Consumer<String> unresolved) {
        ClientModel client = realm.getClientByClientId(clientId);
        if (client == null) {
            wanted.forEach(n -> unresolved.accept("client role '" + n + "' of unknown client '" + clientId + "'"));
            return Set.of();
        }
        return grantable(resolve(wanted, client::getRole, n -> unresolved.accept("client role '" + n + "' of client '" + clientId + "'")),
                guard::refusal, unresolved);
    }

    private void syncClientRoles(UserModel user, String clientId, List<String> wanted, Consumer<String> unresolved) {
        Set<RoleModel> roles = resolveClientRoles(clientId, wanted, unresolved);
        ClientModel client = realm.getClientByClientId(clientId);
        if (client == null || grantToFresh(user, roles)) {
            return;
        }
        sync(user, user.getClientRoleMappingsStream(client).collect(Collectors.toList()), roles, r -> true);
    }

    private static void sync(UserModel user, List<RoleModel> current, Set<RoleModel> wanted, java.util.function.Predicate<RoleModel> managed) {
        Set<String> wantedIds = wanted.stream().map(RoleModel::getId).collect(Collectors.toSet());
        Set<String> currentIds = new HashSet<>();
        current.forEach(role -> {
            currentIds.add(role.getId());
            if (managed.test(role) && !wantedIds.contains(role.getId())) {
                user.deleteRoleMapping(role);
            }
        });
        wanted.stream().filter(role -> !currentIds.contains(role.getId())).forEach(user::grantRole);
    }

    /** The groups of these paths that exist and that the stream may put people in; the others go to {@code unresolved}. */
    private Set<GroupModel> resolveGroups(List<String> paths, List<String> unresolved) {
        return grantable(resolve(paths, path -> groupsByPath.computeIfAbsent(path,
                p -> Optional.ofNullable(KeycloakModelUtils.findGroupByPath(session, realm, p))).orElse(null),
                p -> unresolved.add("group '" + p + "'")), guard::refusal, unresolved::add);
    }

    private void syncGroups(UserModel user, Set<GroupModel> wanted) {
        Set<String> wantedIds = wanted.stream().map(GroupModel::getId).collect(Collectors.toSet());
        Fresh created = fresh.get(user.getId());
        if (created != null) {
            new ArrayList<>(created.groups.keySet()).stream().filter(id -> !wantedIds.contains(id))
                    .forEach(id -> removeFresh(created.groups.remove(id)));
            wanted.stream().filter(group -> !created.groups.containsKey(group.getId())).forEach(group -> joinFresh(user, group));
            return;
        }
        Set<String> currentIds = new HashSet<>();
        user.getGroupsStream().collect(Collectors.toList()).forEach(group -> {
            currentIds.add(group.getId());
            if (!wantedIds.contains(group.getId())) {
                user.leaveGroup(group);
            }
        });
        wanted.stream().filter(group -> !currentIds.contains(group.getId())).forEach(user::joinGroup);
    }

    private static <T> Set<T> resolve(List<String> names, Function<String, T> lookup, Consumer<String> missing) {
        Set<T> found = new LinkedHashSet<>();
        for (String name : names) {
            T value = lookup.apply(name);
            if (value == null) {
                missing.accept(name);
            } else {
                found.add(value);
            }
        }
        return found;
    }

    private UserCredentialStore credentialStore() {
        if (!(local instanceof UserCredentialStore store)) {
            throw new IllegalStateException("Keycloak's local user storage " + local.getClass().getName() + " does not store credentials");
        }
        return store;
    }

    private void evict(UserModel user) {
        UserCache cache = UserStorageUtil.userCache(session);
        if (cache != null) {
            cache.evict(realm, user);
        }
    }
}
