package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.VersionedValue;
import jakarta.persistence.EntityManager;
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
import org.keycloak.models.jpa.entities.CredentialEntity;
import org.keycloak.models.jpa.entities.UserAttributeEntity;
import org.keycloak.models.jpa.entities.UserEntity;
import org.keycloak.models.jpa.entities.UserRoleMappingEntity;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.utils.KeycloakModelUtils;
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
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Writes replicated state into Keycloak's own user tables, the way Keycloak's LDAP import does: through
 * the local user storage, bypassing the read-only view every other caller gets, and evicting the user
 * from the cache so the next request reads what was written.
 *
 * <p>It runs in Keycloak's batch mode (see {@code StreamApplier}): queries do not see this transaction's
 * unflushed writes. So it flushes before it touches a user a second time and before it deletes one, and
 * it checks usernames against what the transaction has already claimed as well as against the database.
 */
final class UserWriter {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String componentId;
    private final UserProvider local;
    private final CredentialFormat credentialFormat;
    private final EntityManager em;
    /** Group paths resolved in this transaction: walking the group tree per user and path is most of a batch's CPU. */
    private final Map<String, java.util.Optional<GroupModel>> groupsByPath = new HashMap<>();
    /** Users this transaction wrote. */
    private final Set<String> touched = new HashSet<>();
    /** Usernames this transaction gave, to the user id that holds each now. */
    private final Map<String, String> claimedUsernames = new HashMap<>();
    /** The other way round: the username each user of this transaction was last given. */
    private final Map<String, String> usernamesClaimed = new HashMap<>();
    /** Usernames looked up for the whole batch at once, to the id of the user that held each (null: free) at its start. */
    private final Map<String, String> heldUsernames = new HashMap<>();
    /** User ids the batch's prefetch did not find: no need to ask the database again until one is created. */
    private final Set<String> absent = new HashSet<>();
    /**
     * Users created by the apply in progress, with every role mapping, membership and credential row
     * written for them: nothing of theirs is in the database yet, so nothing needs reading back.
     */
    private final Map<String, Fresh> fresh = new HashMap<>();

    private static final class Fresh {
        final Map<String, RoleModel> roles = new LinkedHashMap<>();
        final Map<String, org.keycloak.models.jpa.entities.UserGroupMembershipEntity> groups = new LinkedHashMap<>();
        final Map<String, CredentialEntity> credentials = new LinkedHashMap<>();
    }

    UserWriter(KeycloakSession session, RealmModel realm, String componentId) {
        this.session = session;
        this.realm = realm;
        this.componentId = componentId;
        this.local = UserStoragePrivateUtil.userLocalStorage(session);
        this.credentialFormat = new CredentialFormat(session);
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
    }

    /**
     * Loads the users of a batch, with their attributes, in one query, so that applying each event finds
     * its user in the persistence context instead of reading it on its own. By primary key alone: with a
     * realm condition beside it, PostgreSQL without statistics (new tables, before autovacuum's first
     * analyze) walked every user of the realm through a realm index for each batch. Hibernate drops the
     * duplicate rows the join fetch gives, so no DISTINCT (and no sort) in SQL.
     */
    void prefetch(Collection<String> userIds, Collection<String> assumedAbsent) {
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
    }

    /** Where a subject that is not a usable Keycloak id is kept on the user it maps to. */
    public static final String SUBJECT_ATTRIBUTE = "replicaSubject";

    UserModel find(String userId) {
        return absent.contains(userId) ? null : local.getUserById(realm, userId);
    }

    private boolean trustUniqueUsernames;
    /** In a bulk load, the rows of the users it creates, inserted together at the end; null otherwise. */
    private NewUserRows newUserRows;

    /**
     * A bulk load: leaves usernames to the realm's unique key, but for those this transaction gives twice
     * (see StreamApplier), and holds new users' rows for {@link #insertNewUsers} instead of persisting them.
     */
    void trustUniqueUsernames() {
        trustUniqueUsernames = true;
        newUserRows = new NewUserRows();
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

    boolean trustsUniqueUsernames() {
        return trustUniqueUsernames;
    }

    /**
     * Looks up, in one query, which of these usernames the realm's users hold, so that checking each new
     * or renamed user's username does not cost a query of its own.
     */
    void prefetchUsernames(Collection<String> usernames) {
        List<String> names = usernames.stream().map(n -> n.toLowerCase(java.util.Locale.ROOT)).filter(n -> !heldUsernames.containsKey(n))
                .distinct().toList();
        for (int i = 0; i < names.size(); i += ReplicaStore.IN_CHUNK) {
            List<String> chunk = names.subList(i, Math.min(names.size(), i + ReplicaStore.IN_CHUNK));
            chunk.forEach(n -> heldUsernames.put(n, null));
            em.createQuery("select u.username, u.id from UserEntity u where u.realmId = :realmId and u.username in :names", Object[].class)
                    .setParameter("realmId", realm.getId())
                    .setParameter("names", chunk)
                    .getResultList()
                    .forEach(row -> heldUsernames.put((String) row[0], (String) row[1]));
        }
    }

    private void checkUsernameFree(String username, String userId) {
        String claimer = claimedUsernames.get(username);
        if (claimer != null) {
            if (!claimer.equals(userId)) {
                throw new EventRejectedException("username '" + username + "' is already held by another replicated subject (user id "
                        + claimer + ")");
            }
            return;
        }
        if (trustUniqueUsernames) {
            return;
        }
        if (heldUsernames.containsKey(username)) {
            String holderId = heldUsernames.get(username);
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
            // The query matched the database's name, which this transaction has renamed already. Write the
            // rename now: at commit Hibernate inserts new users before it updates old ones.
            em.flush();
            return;
        }
        String whose = componentId.equals(holder.getFederationLink()) ? "another replicated subject" : "a user that is not replicated from this upstream";
        throw new EventRejectedException("username '" + username + "' is already held by " + whose + " (user id " + holder.getId() + ")");
    }

    /** Refuses, before anything is written, changes that Keycloak would refuse half-way. */
    void check(String userId, List<UserChange> changes) {
        for (UserChange change : changes) {
            if (change instanceof UserChange.Create create) {
                UserModel existing = find(userId);
                if (existing != null && !componentId.equals(existing.getFederationLink())) {
                    throw new EventRejectedException("user id " + userId + " belongs to a user that is not replicated by this component");
                }
                checkUsernameFree(create.attributes().get("username").value().asText().toLowerCase(), userId);
            } else if (change instanceof UserChange.SetAttribute set && set.fact().name().equals("username") && set.fact().present()) {
                checkUsernameFree(set.fact().value().asText().toLowerCase(), userId);
            }
        }
    }

    void checkCredential(ReplicatedCredential credential) {
        credentialFormat.check(credentialFormat.toModel(credential, credential.id()));
    }

    /**
     * Carries out the changes for one subject. Returns, per entitlement attribute it set, what this
     * realm did not have; the caller records those as unresolved.
     */
    Map<String, List<String>> apply(String subject, String userId, List<UserChange> changes) {
        Map<String, List<String>> unresolved = new LinkedHashMap<>();
        if (!touched.add(userId)) {
            // Keycloak's own reads of this user (role mappings, groups, credentials) go to the database.
            em.flush();
        }
        fresh.remove(userId);
        UserModel user = null;
        for (UserChange change : changes) {
            if (change instanceof UserChange.Create create) {
                user = create(subject, userId, create, unresolved);
            } else if (change instanceof UserChange.Delete) {
                UserModel existing = find(userId);
                if (existing != null) {
                    // Keycloak deletes a user's rows with bulk statements that would miss unflushed ones.
                    em.flush();
                    release(userId);
                    evict(existing);
                    new UserManager(session).removeUser(realm, existing, local);
                }
                user = null;
            } else {
                user = user != null ? user : find(userId);
                if (user == null) {
                    throw new IllegalStateException("the Keycloak user " + userId + " of live subject " + subject + " is missing");
                }
                if (change instanceof UserChange.SetAttribute set) {
                    setAttribute(user, set.fact(), unresolved);
                } else if (change instanceof UserChange.PutCredential put) {
                    putCredential(user, SubjectApply.credential(put.fact()));
                } else if (change instanceof UserChange.RemoveCredential remove) {
                    credentialStore().removeStoredCredential(realm, user, SubjectIds.credentialId(remove.credentialId()));
                }
            }
        }
        fresh.remove(userId);
        if (user != null) {
            evict(user);
        }
        return unresolved;
    }

    private UserModel create(String subject, String userId, UserChange.Create create, Map<String, List<String>> unresolved) {
        UserModel user = find(userId);
        if (user == null && local instanceof org.keycloak.models.jpa.JpaUserProvider) {
            user = createFresh(subject, userId, create, unresolved);
            for (Fact fact : create.attributes().values()) {
                if (!AttributeName.of(fact.name()).isUserColumn()) {
                    setAttribute(user, fact, unresolved);
                }
            }
            for (Fact fact : create.credentials().values()) {
                putCredential(user, SubjectApply.credential(fact));
            }
            return user;
        }
        if (user == null) {
            // Not Keycloak's JPA store: its own way, default roles and groups as for every new user of the realm.
            String username = create.attributes().get("username").value().asText().toLowerCase();
            user = local.addUser(realm, userId, username, true, false);
            absent.remove(userId);
            claim(username, userId);
            user.setFederationLink(componentId);
            user.setCreatedTimestamp(System.currentTimeMillis());
            if (!userId.equals(subject)) {
                writeUserAttribute(user, SUBJECT_ATTRIBUTE, List.of(subject));
            }
        }
        // Never sent by the upstream: a person it replicates is enabled unless it says otherwise.
        user.setEnabled(true);
        for (Fact fact : create.attributes().values()) {
            setAttribute(user, fact, unresolved);
        }
        for (Fact fact : create.credentials().values()) {
            putCredential(user, SubjectApply.credential(fact));
        }
        return user;
    }

    /**
     * A new user as Keycloak's JPA store writes one, but with its own columns set before it is persisted:
     * Hibernate inserts the state an entity has when it is persisted and writes later changes as an update,
     * so a user created and then filled in costs an insert and an update. Default roles and groups as for
     * every new user of the realm, without Keycloak's one-query-per-grant checks (nothing of the user exists
     * yet); no default required actions: a replicated person's credentials are the upstream's business.
     */
    private UserModel createFresh(String subject, String userId, UserChange.Create create, Map<String, List<String>> unresolved) {
        UserEntity entity = new UserEntity();
        entity.setId(userId);
        long now = org.keycloak.common.util.Time.currentTimeMillis();
        entity.setCreatedTimestamp(now);
        entity.setLastModifiedTimestamp(now);
        entity.setRealmId(realm.getId());
        entity.setFederationLink(componentId);
        // Never sent by the upstream: a person it replicates is enabled unless it says otherwise.
        entity.setEnabled(true);
        UserModel user = new org.keycloak.models.jpa.UserAdapter(session, realm, em, entity);
        user.setUsername(create.attributes().get("username").value().asText());
        claim(user.getUsername(), userId);
        for (Fact fact : create.attributes().values()) {
            if (AttributeName.of(fact.name()).isUserColumn()) {
                setAttribute(user, fact, unresolved);
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

    private void setAttribute(UserModel user, Fact fact, Map<String, List<String>> unresolved) {
        AttributeName name = AttributeName.of(fact.name());
        VersionedValue value = new VersionedValue(fact.value(), fact.version());
        List<String> missing = new ArrayList<>();
        switch (name.kind()) {
            case USERNAME -> {
                if (!value.isAbsent()) {
                    user.setUsername(value.asText());
                    claim(user.getUsername(), user.getId());
                }
            }
            case EMAIL -> user.setEmail(value.asText());
            case EMAIL_VERIFIED -> user.setEmailVerified(!value.isAbsent() && value.asBoolean());
            case FIRST_NAME -> user.setFirstName(value.asText());
            case LAST_NAME -> user.setLastName(value.asText());
            case ENABLED -> user.setEnabled(value.isAbsent() || value.asBoolean());
            case REALM_ROLES -> syncRealmRoles(user, value.asList(), missing::add);
            case CLIENT_ROLES -> syncClientRoles(user, name.clientId(), value.asList(), missing::add);
            case GROUPS -> syncGroups(user, value.asList(), missing::add);
            case USER_ATTRIBUTE -> writeUserAttribute(user, name.name(), value.asList());
        }
        if (name.isEntitlement()) {
            unresolved.put(fact.name(), missing);
        }
    }

    private void claim(String username, String userId) {
        release(userId);
        claimedUsernames.put(username, userId);
        usernamesClaimed.put(userId, username);
    }

    private void release(String userId) {
        String previous = usernamesClaimed.remove(userId);
        if (previous != null) {
            claimedUsernames.remove(previous, userId);
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
        if (existing.stream().map(UserAttributeEntity::getValue).sorted().toList().equals(values.stream().sorted().toList())) {
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

    private void putCredential(UserModel user, ReplicatedCredential credential) {
        String keycloakId = SubjectIds.credentialId(credential.id());
        CredentialModel model = credentialFormat.toModel(credential, keycloakId);
        UserCredentialStore store = credentialStore();
        Fresh created = fresh.get(user.getId());
        if (created != null && created.credentials.values().stream().noneMatch(c -> c.getType().equals(model.getType())
                && model.getUserLabel() != null && model.getUserLabel().equals(c.getUserLabel()))) {
            putFreshCredential(user, created, keycloakId, model);
            return;
        }
        CredentialModel existing = store.getStoredCredentialById(realm, user, keycloakId);
        if (existing != null && !existing.getType().equals(model.getType())) {
            store.removeStoredCredential(realm, user, keycloakId);
            existing = null;
        }
        if (PasswordCredentialModel.TYPE.equals(model.getType())) {
            // Keycloak reads exactly one password per user: the upstream's current one replaces any other.
            store.getStoredCredentialsByTypeStream(realm, user, PasswordCredentialModel.TYPE)
                    .filter(other -> !other.getId().equals(keycloakId))
                    .map(CredentialModel::getId)
                    .collect(Collectors.toList())
                    .forEach(id -> store.removeStoredCredential(realm, user, id));
        }
        if (existing == null) {
            store.createCredential(realm, user, model);
        } else {
            store.updateCredential(realm, user, model);
        }
    }

    /**
     * A new user's credential, written as Keycloak's JPA credential store writes one (priority after the
     * user's others) without the reads it makes first: this user has no rows but the ones written here.
     * A second credential of one label and type takes the store's own path, which refuses it as Keycloak does.
     */
    private void putFreshCredential(UserModel user, Fresh created, String keycloakId, CredentialModel model) {
        CredentialEntity previous = created.credentials.remove(keycloakId);
        if (previous != null) {
            removeFresh(previous);
        }
        if (PasswordCredentialModel.TYPE.equals(model.getType())) {
            // Keycloak reads exactly one password per user: the upstream's current one replaces any other.
            created.credentials.values().removeIf(other -> {
                if (PasswordCredentialModel.TYPE.equals(other.getType())) {
                    removeFresh(other);
                    return true;
                }
                return false;
            });
        }
        CredentialEntity entity = new CredentialEntity();
        entity.setId(keycloakId);
        entity.setCreatedDate(model.getCreatedDate());
        entity.setUserLabel(model.getUserLabel());
        entity.setType(model.getType());
        entity.setSecretData(model.getSecretData());
        entity.setCredentialData(model.getCredentialData());
        entity.setUser(((org.keycloak.models.jpa.UserAdapter) user).getEntity());
        entity.setPriority(created.credentials.values().stream().mapToInt(CredentialEntity::getPriority).max().orElse(0) + CREDENTIAL_PRIORITY_STEP);
        persistFresh(entity);
        created.credentials.put(keycloakId, entity);
    }

    /** JpaUserCredentialStore's distance between two credentials' priorities. */
    private static final int CREDENTIAL_PRIORITY_STEP = 10;

    private void syncRealmRoles(UserModel user, List<String> wanted, Consumer<String> unresolved) {
        Set<RoleModel> roles = resolve(wanted, realm::getRole, n -> unresolved.accept("realm role '" + n + "'"));
        if (grantToFresh(user, roles)) {
            return;
        }
        RoleModel defaultRole = realm.getDefaultRole();
        sync(user, user.getRealmRoleMappingsStream(), roles, r -> defaultRole == null || !r.getId().equals(defaultRole.getId()));
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
        mapping.setUser(((org.keycloak.models.jpa.UserAdapter) user).getEntity());
        mapping.setRoleId(role.getId());
        persistFresh(mapping);
        fresh.get(user.getId()).roles.put(role.getId(), role);
        RoleModel.RoleGrantedEvent.fire(role, user, session);
    }

    private void joinFresh(UserModel user, GroupModel group) {
        org.keycloak.models.jpa.entities.UserGroupMembershipEntity membership = new org.keycloak.models.jpa.entities.UserGroupMembershipEntity();
        membership.setUser(((org.keycloak.models.jpa.UserAdapter) user).getEntity());
        membership.setGroupId(group.getId());
        membership.setMembershipType(org.keycloak.representations.idm.MembershipType.UNMANAGED);
        persistFresh(membership);
        fresh.get(user.getId()).groups.put(group.getId(), membership);
        GroupModel.GroupMemberJoinEvent.fire(group, user, session);
    }

    private void syncClientRoles(UserModel user, String clientId, List<String> wanted, Consumer<String> unresolved) {
        ClientModel client = realm.getClientByClientId(clientId);
        if (client == null) {
            wanted.forEach(n -> unresolved.accept("client role '" + n + "' of unknown client '" + clientId + "'"));
            return;
        }
        Set<RoleModel> roles = resolve(wanted, client::getRole, n -> unresolved.accept("client role '" + n + "' of client '" + clientId + "'"));
        if (grantToFresh(user, roles)) {
            return;
        }
        sync(user, user.getClientRoleMappingsStream(client), roles, r -> true);
    }

    private static void sync(UserModel user, Stream<RoleModel> current, Set<RoleModel> wanted, java.util.function.Predicate<RoleModel> managed) {
        Set<String> wantedIds = wanted.stream().map(RoleModel::getId).collect(Collectors.toSet());
        Set<String> currentIds = new HashSet<>();
        current.collect(Collectors.toList()).forEach(role -> {
            currentIds.add(role.getId());
            if (managed.test(role) && !wantedIds.contains(role.getId())) {
                user.deleteRoleMapping(role);
            }
        });
        wanted.stream().filter(role -> !currentIds.contains(role.getId())).forEach(user::grantRole);
    }

    private void syncGroups(UserModel user, List<String> wantedPaths, Consumer<String> unresolved) {
        Set<GroupModel> wanted = resolve(wantedPaths, path -> groupsByPath.computeIfAbsent(path,
                p -> java.util.Optional.ofNullable(KeycloakModelUtils.findGroupByPath(session, realm, p))).orElse(null),
                p -> unresolved.accept("group '" + p + "'"));
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

    private static <T> Set<T> resolve(List<String> names, java.util.function.Function<String, T> lookup, Consumer<String> missing) {
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
