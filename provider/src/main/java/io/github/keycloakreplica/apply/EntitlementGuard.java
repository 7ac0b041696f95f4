package io.github.keycloakreplica.apply;

import org.keycloak.Config;
import org.keycloak.models.AdminRoles;
import org.keycloak.models.ClientModel;
import org.keycloak.models.Constants;
import org.keycloak.models.GroupModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What the stream may grant. A record on the topics proves only that someone could write there: were
 * every role it names granted, a forged record would make its author an administrator of the realm that
 * follows the topics, and that administrator could then reconfigure the replica itself. So the stream
 * does not grant the realm's administrative roles (every role of the
 * {@code realm-management} client; in the admin realm also those of the {@code *-realm} clients and the
 * {@code admin} and {@code create-realm} roles, as Keycloak's {@link AdminRoles} marks them), nor any role
 * that contains one through its composites, nor any group whose role mappings, or its parents', hold one.
 * The component setting {@value #SETTING} names those it may grant all the same, or {@value #EVERYTHING}
 * for all of them.
 *
 * <p>Only granting is guarded. A role or group refused is one the person does not get from the stream, so
 * a write that sets the person's roles takes away one they hold (granted while the setting allowed it, or
 * before this guard): taking away only lowers what a forged record can do, and a replicated person cannot
 * have been granted anything at this site (its users are read-only), so nothing held is the site's own.
 *
 * <p>It is asked for every role and group of every person written, thousands a second: its verdicts are
 * kept by role and group id for the life of the guard, one apply transaction, so the composites of a role
 * are walked once per transaction, not once per person. A role made administrative during a transaction
 * counts from the next one.
 */
public final class EntitlementGuard {

    /** The component setting that lists what the stream may grant beyond the rule. */
    public static final String SETTING = "streamMayGrant";
    /** How the setting is labelled in the component's page: reasons point there. */
    public static final String SETTING_LABEL = "Administrative roles the stream may grant";
    /** The setting's value that lets the stream grant everything, administrators included. */
    public static final String EVERYTHING = "*";
    /** How every reason starts: tells a refusal from a missing role among a subject's unresolved entitlements. */
    public static final String REFUSED = "refused: ";
    /** Names are shortened in reasons so that one with five of them fits the unresolved column's 1,024 characters. */
    private static final int NAME_LIMIT = 120;

    /**
     * The setting, parsed: the names (a realm role's name, a client role as {@code clientId.role}, a group's
     * path, the forms the stream names them in) of roles and groups the stream may grant although they are
     * administrative. Lenient: a name that cannot match (a pattern) matches nothing, so a value that never went
     * through the component's validation grants no more than the default; {@link #problems} is the strict part.
     */
    public record Allowance(Set<String> names) {

        public static final Allowance NONE = new Allowance(Set.of());

        public Allowance {
            names = Set.copyOf(names);
        }

        /** Comma- or line-separated names; blank: none. */
        public static Allowance parse(String setting) {
            if (setting == null || setting.isBlank()) {
                return NONE;
            }
            Set<String> names = new LinkedHashSet<>();
            for (String name : setting.split("[,\\r\\n]")) {
                if (!name.isBlank()) {
                    names.add(name.trim());
                }
            }
            return new Allowance(names);
        }

        /** Whether the stream may grant everything it names, administrative roles included. */
        public boolean everything() {
            return names.contains(EVERYTHING);
        }

        boolean allows(String name) {
            return names.contains(name);
        }

        /**
         * Said in the log where a component that may grant everything is saved and where it starts: validation
         * can only refuse, and this setting is allowed, but an administrator should not miss it.
         */
        public static String everythingWarning(String component, String topicPrefix) {
            return component + ": '" + SETTING_LABEL + "' is " + EVERYTHING + ": the stream may grant every role and group, "
                    + "administrative ones included; anyone who can write to topics '" + topicPrefix + ".*' can make themselves "
                    + "an administrator of this realm.";
        }

        /** What is wrong with the setting, in words an administrator can act on; empty when nothing is. */
        public List<String> problems() {
            List<String> problems = new ArrayList<>();
            for (String name : names) {
                if (name.chars().anyMatch(Character::isISOControl)) {
                    problems.add(SETTING_LABEL + ": an entry contains a control character.");
                } else if (!name.equals(EVERYTHING) && name.contains(EVERYTHING)) {
                    problems.add(SETTING_LABEL + ": '" + name + "' is not a pattern: name each role or group, "
                            + "or give " + EVERYTHING + " on its own to let the stream grant everything.");
                }
            }
            return problems;
        }
    }

    /** A role as the guard sees it: one of Keycloak's, or a test's. */
    interface Role {

        String id();

        /** As the stream and the setting name it: a realm role's name, or {@code clientId.role}. */
        String name();

        boolean clientRole();

        /** Whether it is one of Keycloak's administrative roles in its own right, whatever it contains. */
        boolean administrative();

        /** The roles it contains directly. */
        Stream<? extends Role> composites();
    }

    /** A group as the guard sees it. */
    interface Group {

        String id();

        String path();

        /** Its own role mappings, realm and client roles. */
        Stream<? extends Role> roles();

        /** Its parent, whose role mappings its members hold too; null for a top-level group. */
        Group parent();
    }

    /** Where a group's administrative role comes from: the group that maps it, the role mapped, what it contains. */
    private record Holding(Group holder, Role mapped, Role administrative) {
    }

    private final Allowance allowance;
    private final boolean adminRealm;
    /** By role id: the administrative role it is or contains, or empty for none. */
    private final Map<String, Optional<Role>> contained = new HashMap<>();
    /** By group id: where its administrative role comes from, or empty. */
    private final Map<String, Optional<Holding>> held = new HashMap<>();
    /** By role or group id: why the stream may not grant it, or "" when it may. */
    private final Map<String, String> roleVerdicts = new HashMap<>();
    private final Map<String, String> groupVerdicts = new HashMap<>();

    EntitlementGuard(Allowance allowance, boolean adminRealm) {
        this.allowance = allowance;
        this.adminRealm = adminRealm;
    }

    /** A guard for one transaction's writes into this realm. */
    static EntitlementGuard of(RealmModel realm, Allowance allowance) {
        return new EntitlementGuard(allowance, realm.getName().equals(Config.getAdminRealm()));
    }

    /**
     * Keycloak's administrative roles in their own right: every role of the realm's {@code realm-management}
     * client (roles added to it later included: Keycloak's admin permissions look there), and in the admin
     * realm the roles of its {@code <realm>-realm} clients and Keycloak's realm-level admin roles.
     *
     * @param clientId the client of a client role; null for a realm role
     */
    static boolean administrative(String clientId, String roleName, boolean adminRealm) {
        if (clientId == null) {
            return adminRealm && AdminRoles.ALL_ROLES.contains(roleName);
        }
        return Constants.REALM_MANAGEMENT_CLIENT_ID.equals(clientId) || adminRealm && clientId.endsWith(AdminRoles.APP_SUFFIX);
    }

    /** Why the stream may not grant this role, or null when it may. */
    String refusal(RoleModel role) {
        if (allowance.everything()) {
            return null;
        }
        String verdict = roleVerdicts.get(role.getId());
        return verdict != null ? orNull(verdict) : refusal(new KeycloakRole(role, adminRealm));
    }

    /** Why the stream may not put people in this group, or null when it may. */
    String refusal(GroupModel group) {
        if (allowance.everything()) {
            return null;
        }
        String verdict = groupVerdicts.get(group.getId());
        return verdict != null ? orNull(verdict) : refusal(new KeycloakGroup(group, adminRealm));
    }

    String refusal(Role role) {
        if (allowance.everything()) {
            return null;
        }
        String verdict = roleVerdicts.get(role.id());
        if (verdict == null) {
            Role administrative = administrativeIn(role);
            if (administrative == null || allowance.allows(role.name())) {
                verdict = "";
            } else {
                verdict = REFUSED + describe(role) + (administrative.id().equals(role.id()) ? " is administrative"
                        : " contains " + describe(administrative) + ", which is administrative") + remedy(role.name());
            }
            roleVerdicts.put(role.id(), verdict);
        }
        return orNull(verdict);
    }

    String refusal(Group group) {
        if (allowance.everything()) {
            return null;
        }
        String verdict = groupVerdicts.get(group.id());
        if (verdict == null) {
            Holding holding = holding(group);
            if (holding == null || allowance.allows(group.path())) {
                verdict = "";
            } else {
                String through = holding.holder().id().equals(group.id()) ? "" : " (through group " + quote(holding.holder().path()) + ")";
                String what = holding.administrative().id().equals(holding.mapped().id()) ? ", which is administrative"
                        : ", which contains " + describe(holding.administrative()) + ", an administrative role";
                verdict = REFUSED + "group " + quote(group.path()) + " grants" + through + " " + describe(holding.mapped()) + what
                        + remedy(group.path());
            }
            groupVerdicts.put(group.id(), verdict);
        }
        return orNull(verdict);
    }

    private static String orNull(String verdict) {
        return verdict.isEmpty() ? null : verdict;
    }

    private static String remedy(String name) {
        return "; the stream may grant it only if the component setting '" + SETTING_LABEL + "' lists " + quote(name);
    }

    private static String describe(Role role) {
        return (role.clientRole() ? "client role " : "realm role ") + quote(role.name());
    }

    private static String quote(String name) {
        return "'" + (name.length() <= NAME_LIMIT ? name : name.substring(0, NAME_LIMIT) + "…") + "'";
    }

    /** The administrative role this role is or contains through its composites, or null. */
    private Role administrativeIn(Role role) {
        Optional<Role> known = contained.get(role.id());
        if (known != null) {
            return known.orElse(null);
        }
        Set<String> visited = new HashSet<>();
        Role found = search(role, visited);
        if (found == null) {
            // Everything reached from here was searched to the end: none of it contains one either.
            visited.forEach(id -> contained.put(id, Optional.empty()));
        } else {
            contained.put(role.id(), Optional.of(found));
        }
        return found;
    }

    /** Depth first, each role once: Keycloak lets composites form cycles. */
    private Role search(Role role, Set<String> visited) {
        if (!visited.add(role.id())) {
            return null;
        }
        Optional<Role> known = contained.get(role.id());
        if (known != null) {
            return known.orElse(null);
        }
        if (role.administrative()) {
            return role;
        }
        try (Stream<? extends Role> composites = role.composites()) {
            Iterator<? extends Role> it = composites.iterator();
            while (it.hasNext()) {
                Role found = search(it.next(), visited);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** Where the administrative role this group's members hold comes from, its parents' mappings included; null when none. */
    private Holding holding(Group group) {
        Optional<Holding> known = held.get(group.id());
        if (known != null) {
            return known.orElse(null);
        }
        Holding found = null;
        try (Stream<? extends Role> roles = group.roles()) {
            Iterator<? extends Role> it = roles.iterator();
            while (found == null && it.hasNext()) {
                Role mapped = it.next();
                Role administrative = administrativeIn(mapped);
                if (administrative != null) {
                    found = new Holding(group, mapped, administrative);
                }
            }
        }
        Group parent = found == null ? group.parent() : null;
        if (parent != null) {
            found = holding(parent);
        }
        held.put(group.id(), Optional.ofNullable(found));
        return found;
    }

    private record KeycloakRole(RoleModel model, boolean adminRealm) implements Role {

        @Override
        public String id() {
            return model.getId();
        }

        @Override
        public String name() {
            return model.isClientRole() ? clientId() + "." + model.getName() : model.getName();
        }

        @Override
        public boolean clientRole() {
            return model.isClientRole();
        }

        @Override
        public boolean administrative() {
            return EntitlementGuard.administrative(model.isClientRole() ? clientId() : null, model.getName(), adminRealm);
        }

        @Override
        public Stream<? extends Role> composites() {
            return model.isComposite() ? model.getCompositesStream().map(r -> new KeycloakRole(r, adminRealm)) : Stream.empty();
        }

        private String clientId() {
            return model.getContainer() instanceof ClientModel client ? client.getClientId() : model.getContainerId();
        }
    }

    private record KeycloakGroup(GroupModel model, boolean adminRealm) implements Group {

        @Override
        public String id() {
            return model.getId();
        }

        @Override
        public String path() {
            return KeycloakModelUtils.buildGroupPath(model);
        }

        @Override
        public Stream<? extends Role> roles() {
            return model.getRoleMappingsStream().map(r -> new KeycloakRole(r, adminRealm));
        }

        @Override
        public Group parent() {
            GroupModel parent = model.getParent();
            return parent == null ? null : new KeycloakGroup(parent, adminRealm);
        }
    }
}
