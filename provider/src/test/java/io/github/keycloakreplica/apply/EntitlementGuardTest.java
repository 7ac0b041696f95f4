package io.github.keycloakreplica.apply;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class EntitlementGuardTest {

    /** A role of a fake realm: administrative by Keycloak's rule for its client and name. */
    private static final class FakeRole implements EntitlementGuard.Role {
        final String clientId;
        final String roleName;
        final boolean adminRealm;
        final List<FakeRole> composites = new ArrayList<>();
        int compositeReads;

        FakeRole(String clientId, String roleName, boolean adminRealm) {
            this.clientId = clientId;
            this.roleName = roleName;
            this.adminRealm = adminRealm;
        }

        FakeRole containing(FakeRole... roles) {
            composites.addAll(List.of(roles));
            return this;
        }

        @Override
        public String id() {
            return "id-" + name();
        }

        @Override
        public String name() {
            return clientId == null ? roleName : clientId + "." + roleName;
        }

        @Override
        public boolean clientRole() {
            return clientId != null;
        }

        @Override
        public boolean administrative() {
            return EntitlementGuard.administrative(clientId, roleName, adminRealm);
        }

        @Override
        public Stream<? extends EntitlementGuard.Role> composites() {
            compositeReads++;
            return composites.stream();
        }
    }

    private record FakeGroup(String path, List<FakeRole> mapped, FakeGroup parent) implements EntitlementGuard.Group {

        @Override
        public String id() {
            return "id-" + path;
        }

        @Override
        public Stream<? extends EntitlementGuard.Role> roles() {
            return mapped.stream();
        }
    }

    private static FakeRole realmRole(String name) {
        return new FakeRole(null, name, false);
    }

    private static FakeRole clientRole(String clientId, String name) {
        return new FakeRole(clientId, name, false);
    }

    private static EntitlementGuard guard(String setting) {
        return new EntitlementGuard(EntitlementGuard.Allowance.parse(setting), false);
    }

    private final FakeRole manageUsers = clientRole("realm-management", "manage-users");
    private final FakeRole viewUsers = clientRole("realm-management", "view-users");
    private final FakeRole realmAdmin = clientRole("realm-management", "realm-admin").containing(manageUsers, viewUsers);

    @Test
    void theRealmManagementClientsRolesAreRefusedWithTheirReason() {
        EntitlementGuard guard = guard(null);

        assertThat(guard.refusal(realmAdmin)).isEqualTo("refused: client role 'realm-management.realm-admin' is administrative; "
                + "the stream may grant it only if the component setting 'Administrative roles the stream may grant' lists "
                + "'realm-management.realm-admin'");
        assertThat(guard.refusal(clientRole("realm-management", "a-role-added-later"))).as("every role of the client").isNotNull();
        assertThat(guard.refusal(realmRole("operator"))).isNull();
        assertThat(guard.refusal(clientRole("crm", "manage-users"))).as("another client's role of the same name").isNull();
        assertThat(guard.refusal(realmRole("admin"))).as("'admin' is administrative in the admin realm only").isNull();
        assertThat(guard.refusal(clientRole("acme-realm", "manage-users"))).isNull();
    }

    @Test
    void aRoleContainingAnAdministrativeRoleThroughItsCompositesIsRefused() {
        FakeRole teamLead = realmRole("team-lead").containing(realmRole("reader"), realmRole("helpdesk").containing(manageUsers));
        FakeRole loop = realmRole("loop");
        loop.containing(realmRole("back").containing(loop));

        assertThat(guard(null).refusal(teamLead)).startsWith("refused: realm role 'team-lead' contains client role "
                + "'realm-management.manage-users', which is administrative; the stream may grant it only if the component setting "
                + "'Administrative roles the stream may grant' lists 'team-lead'");
        assertThat(guard(null).refusal(loop)).as("composites that form a cycle end").isNull();
        assertThat(guard(null).refusal(clientRole("crm", "agent").containing(realmRole("reader")))).isNull();
    }

    @Test
    void inTheAdminRealmItsRealmClientsRolesAndTheAdminRolesAreAdministrativeToo() {
        EntitlementGuard guard = new EntitlementGuard(EntitlementGuard.Allowance.NONE, true);

        assertThat(guard.refusal(new FakeRole(null, "admin", true))).contains("realm role 'admin' is administrative");
        assertThat(guard.refusal(new FakeRole(null, "create-realm", true))).isNotNull();
        assertThat(guard.refusal(new FakeRole("acme-realm", "view-users", true))).isNotNull();
        assertThat(guard.refusal(new FakeRole("acme-realm", "anything", true))).isNotNull();
        assertThat(guard.refusal(new FakeRole(null, "operator", true))).isNull();
        assertThat(guard.refusal(new FakeRole("crm", "agent", true))).isNull();
    }

    @Test
    void aGroupWhoseRoleMappingsOrItsParentsHoldAnAdministrativeRoleIsRefused() {
        FakeRole helpdesk = realmRole("helpdesk").containing(manageUsers);
        FakeGroup ops = new FakeGroup("/ops", List.of(realmRole("reader"), helpdesk), null);
        FakeGroup nightShift = new FakeGroup("/ops/night", List.of(), ops);
        FakeGroup admins = new FakeGroup("/admins", List.of(realmAdmin), null);
        FakeGroup sales = new FakeGroup("/sales", List.of(realmRole("reader")), null);
        EntitlementGuard guard = guard(null);

        assertThat(guard.refusal(admins)).startsWith("refused: group '/admins' grants client role 'realm-management.realm-admin', "
                + "which is administrative;").endsWith("lists '/admins'");
        assertThat(guard.refusal(nightShift)).startsWith("refused: group '/ops/night' grants (through group '/ops') realm role "
                + "'helpdesk', which contains client role 'realm-management.manage-users', an administrative role;");
        assertThat(guard.refusal(sales)).isNull();
        assertThat(guard(null).refusal(new FakeGroup("/sales/emea", List.of(), sales))).isNull();
    }

    @Test
    void theSettingLetsTheStreamGrantExactlyWhatItNames() {
        FakeRole helpdesk = realmRole("helpdesk").containing(viewUsers);
        FakeGroup admins = new FakeGroup("/admins", List.of(realmAdmin), null);
        EntitlementGuard guard = guard("realm-management.view-users, /admins");

        assertThat(guard.refusal(viewUsers)).isNull();
        assertThat(guard.refusal(manageUsers)).isNotNull();
        assertThat(guard.refusal(realmAdmin)).as("it contains what was allowed, and more").isNotNull();
        assertThat(guard.refusal(helpdesk)).as("named by its own name only").isNotNull();
        assertThat(guard.refusal(admins)).isNull();
        assertThat(guard("helpdesk").refusal(helpdesk)).isNull();

        EntitlementGuard everything = guard("*");
        assertThat(everything.refusal(realmAdmin)).isNull();
        assertThat(everything.refusal(admins)).isNull();
    }

    @Test
    void compositesAreWalkedOncePerGuardNotOncePerPerson() {
        FakeRole reader = realmRole("reader");
        FakeRole staff = realmRole("staff").containing(reader, realmRole("printer"));
        FakeRole teamLead = realmRole("team-lead").containing(staff, manageUsers);
        EntitlementGuard guard = guard(null);

        for (int person = 0; person < 1_000; person++) {
            assertThat(guard.refusal(staff)).isNull();
            assertThat(guard.refusal(reader)).isNull();
            assertThat(guard.refusal(teamLead)).isNotNull();
        }

        assertThat(staff.compositeReads).isEqualTo(1);
        assertThat(reader.compositeReads).isEqualTo(1);
        assertThat(teamLead.compositeReads).isEqualTo(1);
    }

    @Test
    void aReasonFitsTheUnresolvedColumnWhateverTheNames() {
        String longName = "r".repeat(255);
        FakeRole inner = clientRole("realm-management", longName);
        FakeRole outer = clientRole("c".repeat(255), longName).containing(inner);
        FakeGroup group = new FakeGroup("/" + "g".repeat(300), List.of(), new FakeGroup("/" + "p".repeat(300), List.of(outer), null));

        assertThat(guard(null).refusal(outer)).hasSizeLessThanOrEqualTo(1024).contains("…");
        assertThat(guard(null).refusal(group)).hasSizeLessThanOrEqualTo(1024).endsWith("…'");
    }

    @Test
    void theSettingIsReadLenientlyAndCheckedStrictly() {
        EntitlementGuard.Allowance allowance = EntitlementGuard.Allowance.parse(" realm-management.view-users,\n/ops/admins\r\n, ,team-lead ");

        assertThat(allowance.names()).containsExactlyInAnyOrder("realm-management.view-users", "/ops/admins", "team-lead");
        assertThat(allowance.everything()).isFalse();
        assertThat(allowance.problems()).isEmpty();
        assertThat(EntitlementGuard.Allowance.parse(null).names()).isEmpty();
        assertThat(EntitlementGuard.Allowance.parse(" * ").everything()).isTrue();
        assertThat(EntitlementGuard.Allowance.parse("realm-management.*").problems()).singleElement().asString()
                .contains("'realm-management.*' is not a pattern");
        assertThat(EntitlementGuard.Allowance.parse("realm-management.*").everything()).isFalse();
        assertThat(EntitlementGuard.Allowance.parse("team\u0007lead").problems()).singleElement().asString().contains("control character");
        assertThat(EntitlementGuard.Allowance.everythingWarning("replica 'hq' of realm 'acme'", "acme"))
                .contains("can make themselves an administrator of this realm");
    }
}
