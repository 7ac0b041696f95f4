package io.github.keycloakreplica.protocol;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AttributeNameTest {

    @Test
    void reservedNamesMapToKeycloakFields() {
        assertThat(AttributeName.of("username").kind()).isEqualTo(AttributeName.Kind.USERNAME);
        assertThat(AttributeName.of("emailVerified").kind()).isEqualTo(AttributeName.Kind.EMAIL_VERIFIED);
        assertThat(AttributeName.of("realmRoles").kind()).isEqualTo(AttributeName.Kind.REALM_ROLES);
        assertThat(AttributeName.of("groups").isEntitlement()).isTrue();
        assertThat(AttributeName.of("firstName").isEntitlement()).isFalse();
    }

    @Test
    void clientRolesNameTheirClient() {
        AttributeName name = AttributeName.of("clientRoles.billing-app");
        assertThat(name.kind()).isEqualTo(AttributeName.Kind.CLIENT_ROLES);
        assertThat(name.clientId()).isEqualTo("billing-app");
        assertThat(name.isEntitlement()).isTrue();
    }

    @Test
    void everythingElseIsAUserAttribute() {
        assertThat(AttributeName.of("department").kind()).isEqualTo(AttributeName.Kind.USER_ATTRIBUTE);
        assertThat(AttributeName.of("clientRoles.").kind()).isEqualTo(AttributeName.Kind.USER_ATTRIBUTE);
        assertThat(AttributeName.of("Username").kind()).isEqualTo(AttributeName.Kind.USER_ATTRIBUTE);
    }

    @Test
    void theUsersOwnColumnsAreTheReservedScalarNames() {
        for (String column : new String[]{"username", "email", "emailVerified", "firstName", "lastName", "enabled"}) {
            assertThat(AttributeName.of(column).isUserColumn()).as(column).isTrue();
        }
        for (String rows : new String[]{"realmRoles", "groups", "clientRoles.billing-app", "department"}) {
            assertThat(AttributeName.of(rows).isUserColumn()).as(rows).isFalse();
        }
    }
}
