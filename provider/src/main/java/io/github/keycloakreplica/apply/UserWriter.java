package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.UserChange;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.VersionedValue;
import jakarta.persistence.EntityManager;
import org.keycloak.component.ComponentModel;
import org.keycloak.connections.jpa.JpaConnectionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserManager;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.cache.UserCache;
import org.keycloak.models.jpa.JpaUserProvider;
import org.keycloak.storage.UserStoragePrivateUtil;
import org.keycloak.storage.UserStorageUtil;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 *
 * <p>This class takes each change in turn, writes the user's own columns, creates and deletes users,
 * and hands the rest on: attributes to {@link UserAttributeWriter}, roles and groups to
 * {@link EntitlementWriter}, credentials to {@link CredentialWriter}. Users this transaction creates are
 * written by {@link NewUserWriter}, which alone remembers their rows (nothing reads them back); the
 * others ask it whether a user is new. What the batch read ahead is {@link UserPrefetch}'s.
 */
final class UserWriter {

    /** Where a subject that is not a usable Keycloak id is kept on the user it maps to. */
    public static final String SUBJECT_ATTRIBUTE = "replicaSubject";

    /** Ends in the user id; the tab makes it a name the stream's schema never lets through. */
    static final String MOVED_ASIDE_PREFIX = "moving\t";

    /** The entities of a user's own rows that reference it, as the replica writes them. */
    private static final List<String> USER_ROWS = List.of("UserRoleMappingEntity", "UserGroupMembershipEntity", "CredentialEntity");

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
    private final EntityManager em;
    private final UsernameClaims usernames;
    private final UserPrefetch reads;
    private final NewUserWriter newUsers;
    private final EntitlementWriter entitlements;
    private final CredentialWriter credentials;
    private final UserAttributeWriter userAttributes;
    private boolean trustUniqueUsernames;

    UserWriter(KeycloakSession session, RealmModel realm, String componentId) {
        this.session = session;
        this.realm = realm;
        this.componentId = componentId;
        this.local = UserStoragePrivateUtil.userLocalStorage(session);
        ComponentModel component = realm.getComponent(componentId);
        this.em = session.getProvider(JpaConnectionProvider.class).getEntityManager();
        this.usernames = new UsernameClaims(em, realm, componentId, local);
        this.reads = new UserPrefetch(em, realm, local);
        this.newUsers = new NewUserWriter(session, realm, componentId, em);
        this.entitlements = new EntitlementWriter(session, realm, component, newUsers);
        this.credentials = new CredentialWriter(session, realm, component, local, newUsers);
        this.userAttributes = new UserAttributeWriter(em, newUsers);
    }

    /** See {@link UserPrefetch#prefetch}. */
    Set<String> prefetch(Collection<String> userIds, Collection<String> assumedAbsent) {
        return reads.prefetch(userIds, assumedAbsent);
    }

    /** Reads the roles, memberships and credentials of these existing users at once, for projections. */
    void prefetchHoldings(Collection<String> userIds) {
        reads.prefetchHoldings(userIds);
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

    UserModel find(String userId) {
        return reads.find(userId);
    }

    /**
     * A bulk load: leaves usernames to the realm's unique key, but for those this transaction gives twice
     * (see StreamApplier), and holds new users' rows for {@link #insertNewUsers} instead of persisting them.
     */
    void trustUniqueUsernames() {
        trustUniqueUsernames = true;
        usernames.trustUniqueKey();
        newUsers.holdRows();
    }

    boolean trustsUniqueUsernames() {
        return trustUniqueUsernames;
    }

    /** Inserts the rows of the users a bulk load created; call once every subject of the transaction is applied. */
    void insertNewUsers() {
        newUsers.insertHeld();
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
        credentials.check(credential);
    }

    /** Carries out the changes for one subject. */
    Written apply(String subject, String userId, List<UserChange> changes) {
        Map<String, List<String>> unresolved = new LinkedHashMap<>();
        List<String> corrected = new ArrayList<>();
        boolean created = false;
        boolean removed = false;
        if (!reads.touch(userId)) {
            // Keycloak's own reads of this user (role mappings, groups, credentials) go to the database.
            em.flush();
            reads.takeHoldings(userId);
        }
        newUsers.forget(userId);
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
                    credentials.set(user, set.credentials(), set.changed(), null);
                }
            }
        }
        newUsers.forget(userId);
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
        reads.deleted(userId);
        return true;
    }

    private static Map<String, Fact> present(Map<String, Fact> facts) {
        Map<String, Fact> present = new LinkedHashMap<>(facts);
        present.values().removeIf(f -> !f.present());
        return present;
    }

    private UserModel create(String subject, String userId, Map<String, Fact> attributes, Map<String, Fact> credentialFacts,
                             Map<String, List<String>> unresolved) {
        UserModel user;
        if (local instanceof JpaUserProvider) {
            user = newUsers.create(userId, unsaved -> attributes.values().stream()
                    .filter(fact -> AttributeName.of(fact.name()).isUserColumn())
                    .forEach(fact -> setAttribute(unsaved, fact, null)));
            reads.created(userId);
            if (!userId.equals(subject)) {
                userAttributes.write(user, SUBJECT_ATTRIBUTE, List.of(subject));
            }
            for (Fact fact : attributes.values()) {
                if (!AttributeName.of(fact.name()).isUserColumn()) {
                    setAttribute(user, fact, unresolved);
                }
            }
        } else {
            // Not Keycloak's JPA store: its own way, default roles and groups as for every new user of the realm.
            String username = UsernameClaims.normalize(attributes.get("username").value().asText());
            user = local.addUser(realm, userId, username, true, false);
            reads.created(userId);
            usernames.claim(username, userId);
            user.setFederationLink(componentId);
            user.setCreatedTimestamp(System.currentTimeMillis());
            if (!userId.equals(subject)) {
                userAttributes.write(user, SUBJECT_ATTRIBUTE, List.of(subject));
            }
            // Never sent by the upstream: a person it replicates is enabled unless it says otherwise.
            user.setEnabled(true);
            for (Fact fact : attributes.values()) {
                setAttribute(user, fact, unresolved);
            }
        }
        credentials.set(user, credentialFacts, credentialFacts.keySet(), null);
        return user;
    }

    /**
     * Makes an existing user equal its ledger: every column, every user attribute (the site's own
     * excepted), the entitlements the ledger names and the credentials. Without a username fact (a
     * subject waiting for its username) the user keeps the one it has.
     *
     * @param corrected collects what differed
     */
    private void project(UserModel user, Map<String, Fact> attributes, Map<String, Fact> credentialFacts, Set<String> changedCredentials,
                         Map<String, List<String>> unresolved, List<String> corrected) {
        UserHoldings held = reads.takeHoldings(user.getId());
        UserProjection.columns(user, attributes).forEach(fact -> {
            setAttribute(user, fact, unresolved);
            corrected.add(fact.name());
        });
        userAttributes.project(user, attributes, corrected);
        if (entitlements.projectRoles(user, attributes, held, unresolved)) {
            corrected.add("roles");
        }
        Fact groups = attributes.get(AttributeName.Kind.GROUPS.reserved());
        if (groups != null && entitlements.projectGroups(user, groups, held, unresolved)) {
            corrected.add(groups.name());
        }
        if (credentials.set(user, credentialFacts, changedCredentials, held)) {
            corrected.add("credentials");
        }
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
            case REALM_ROLES -> entitlements.setRealmRoles(user, value.asList(), missing::add);
            case CLIENT_ROLES -> entitlements.setClientRoles(user, name.clientId(), value.asList(), missing::add);
            case GROUPS -> entitlements.setGroups(user, value.asList(), missing);
            case USER_ATTRIBUTE -> userAttributes.write(user, name.name(), value.asList());
        }
        if (name.isEntitlement() && unresolved != null) {
            unresolved.put(fact.name(), missing);
        }
    }

    private void evict(UserModel user) {
        UserCache cache = UserStorageUtil.userCache(session);
        if (cache != null) {
            cache.evict(realm, user);
        }
    }
}
