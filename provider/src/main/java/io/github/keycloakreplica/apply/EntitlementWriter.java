package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.AttributeName;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.stream.VersionedValue;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Makes a user's direct role mappings and group memberships what the ledger names, by name and path as
 * the upstream sends them: what this realm lacks, or what {@link EntitlementGuard} does not let the
 * stream grant, is reported as unresolved instead of granted. A user the apply in progress created gets
 * its grants through {@link NewUserWriter}; any other through Keycloak's user model.
 */
final class EntitlementWriter {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final NewUserWriter newUsers;
    /** What the stream may grant: administrative roles and groups only where the component's setting says so. */
    private final EntitlementGuard guard;
    /** Group paths resolved in this transaction: walking the group tree per user and path is most of a batch's CPU. */
    private final Map<String, Optional<GroupModel>> groupsByPath = new HashMap<>();

    EntitlementWriter(KeycloakSession session, RealmModel realm, ComponentModel component, NewUserWriter newUsers) {
        this.session = session;
        this.realm = realm;
        this.newUsers = newUsers;
        this.guard = EntitlementGuard.of(realm,
                EntitlementGuard.Allowance.parse(component == null ? null : component.get(EntitlementGuard.SETTING)));
    }

    /** The user's realm roles made these, the realm's default role kept; what cannot be granted goes to {@code unresolved}. */
    void setRealmRoles(UserModel user, List<String> wanted, Consumer<String> unresolved) {
        Set<RoleModel> roles = resolveRealmRoles(wanted, unresolved);
        if (newUsers.grantMissing(user, roles)) {
            return;
        }
        RoleModel defaultRole = realm.getDefaultRole();
        replace(user, user.getRealmRoleMappingsStream().collect(Collectors.toList()), roles,
                r -> defaultRole == null || !r.getId().equals(defaultRole.getId()));
    }

    /** The user's roles of this client made these; what cannot be granted goes to {@code unresolved}. */
    void setClientRoles(UserModel user, String clientId, List<String> wanted, Consumer<String> unresolved) {
        Set<RoleModel> roles = resolveClientRoles(clientId, wanted, unresolved);
        ClientModel client = realm.getClientByClientId(clientId);
        if (client == null || newUsers.grantMissing(user, roles)) {
            return;
        }
        replace(user, user.getClientRoleMappingsStream(client).collect(Collectors.toList()), roles, r -> true);
    }

    /** The user's groups made those of these paths; what cannot be joined goes to {@code unresolved}. */
    void setGroups(UserModel user, List<String> paths, List<String> unresolved) {
        replaceGroups(user, resolveGroups(paths, unresolved));
    }

    /**
     * The user's direct role mappings made exactly what the ledger's {@code realmRoles} and
     * {@code clientRoles.*} name (nothing where it names nothing), the realm's default role kept.
     *
     * @param held the user's holdings as read for the whole batch, or null to read its roles now
     * @return whether anything had to change
     */
    boolean projectRoles(UserModel user, Map<String, Fact> attributes, UserHoldings held, Map<String, List<String>> unresolved) {
        Set<String> currentIds = held != null ? held.roleIds() : user.getRoleMappingsStream().map(RoleModel::getId).collect(Collectors.toSet());
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

    /**
     * The user's groups made exactly those the ledger's {@code groups} fact names.
     *
     * @param held the user's holdings as read for the whole batch, or null to read its groups now
     * @return whether anything had to change
     */
    boolean projectGroups(UserModel user, Fact groups, UserHoldings held, Map<String, List<String>> unresolved) {
        Set<String> currentIds = held != null ? held.groupIds() : user.getGroupsStream().map(GroupModel::getId).collect(Collectors.toSet());
        List<String> missing = new ArrayList<>();
        Set<GroupModel> wanted = resolveGroups(new VersionedValue(groups.value(), groups.version()).asList(), missing);
        unresolved.put(groups.name(), missing);
        if (wanted.stream().map(GroupModel::getId).collect(Collectors.toSet()).equals(currentIds)) {
            return false;
        }
        replaceGroups(user, wanted);
        return true;
    }

    /** The realm roles of these names that exist and that the stream may grant; the others go to {@code unresolved}. */
    private Set<RoleModel> resolveRealmRoles(List<String> wanted, Consumer<String> unresolved) {
        return grantable(resolve(wanted, realm::getRole, n -> unresolved.accept("realm role '" + n + "'")), guard::refusal, unresolved);
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

    /** The groups of these paths that exist and that the stream may put people in; the others go to {@code unresolved}. */
    private Set<GroupModel> resolveGroups(List<String> paths, List<String> unresolved) {
        return grantable(resolve(paths, path -> groupsByPath.computeIfAbsent(path,
                p -> Optional.ofNullable(KeycloakModelUtils.findGroupByPath(session, realm, p))).orElse(null),
                p -> unresolved.add("group '" + p + "'")), guard::refusal, unresolved::add);
    }

    /** Revokes the {@code managed} roles of {@code current} that are not wanted, and grants the wanted ones the user lacks. */
    private static void replace(UserModel user, List<RoleModel> current, Set<RoleModel> wanted, Predicate<RoleModel> managed) {
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

    private void replaceGroups(UserModel user, Set<GroupModel> wanted) {
        if (newUsers.setGroups(user, wanted)) {
            return;
        }
        Set<String> wantedIds = wanted.stream().map(GroupModel::getId).collect(Collectors.toSet());
        Set<String> currentIds = new HashSet<>();
        user.getGroupsStream().collect(Collectors.toList()).forEach(group -> {
            currentIds.add(group.getId());
            if (!wantedIds.contains(group.getId())) {
                user.leaveGroup(group);
            }
        });
        wanted.stream().filter(group -> !currentIds.contains(group.getId())).forEach(user::joinGroup);
    }

    /** What {@code lookup} finds of these names, in their order; the names it does not find go to {@code missing}. */
    static <T> Set<T> resolve(List<String> names, Function<String, T> lookup, Consumer<String> missing) {
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

    /** What the guard lets the stream grant of these; the refusals, with their reasons, go to {@code unresolved}. */
    static <T> Set<T> grantable(Set<T> found, Function<T, String> refusal, Consumer<String> unresolved) {
        found.removeIf(entitlement -> {
            String why = refusal.apply(entitlement);
            if (why != null) {
                unresolved.accept(why);
            }
            return why != null;
        });
        return found;
    }
}
