package io.github.keycloakreplica.publisher;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

final class ChangeTriggersTest {

    @Test
    void changesOfAPersonMarkThem() {
        assertThat(ChangeTriggers.ofUserEvent("UPDATE_PROFILE", "u1", Map.of())).contains("u1");
        assertThat(ChangeTriggers.ofUserEvent("UPDATE_CREDENTIAL", "u1", Map.of())).contains("u1");
        assertThat(ChangeTriggers.ofUserEvent("REGISTER", "u1", Map.of())).contains("u1");
        assertThat(ChangeTriggers.ofUserEvent("IDENTITY_PROVIDER_LOGIN", "u1", Map.of())).as("mappers may sync on a broker login").contains("u1");
    }

    @Test
    void signInTrafficAndFailuresMarkNobody() {
        assertThat(ChangeTriggers.ofUserEvent("LOGIN", "u1", Map.of())).isEmpty();
        assertThat(ChangeTriggers.ofUserEvent("REFRESH_TOKEN", "u1", Map.of())).isEmpty();
        assertThat(ChangeTriggers.ofUserEvent("UPDATE_PASSWORD_ERROR", "u1", Map.of())).isEmpty();
        assertThat(ChangeTriggers.ofUserEvent("UPDATE_PROFILE", null, Map.of())).isEmpty();
    }

    @Test
    void anEventTypeOfALaterKeycloakMarksItsUser() {
        assertThat(ChangeTriggers.ofUserEvent("SOMETHING_NEW", "u1", Map.of())).contains("u1");
    }

    @Test
    void adminEventsOnAUserMarkTheUserTheirPathNames() {
        assertThat(ChangeTriggers.ofAdminEvent("USER", "users/5d1c")).contains("5d1c");
        assertThat(ChangeTriggers.ofAdminEvent("USER", "users/5d1c/reset-password")).contains("5d1c");
        assertThat(ChangeTriggers.ofAdminEvent("REALM_ROLE_MAPPING", "users/5d1c/role-mappings/realm")).contains("5d1c");
        assertThat(ChangeTriggers.ofAdminEvent("GROUP_MEMBERSHIP", "users/5d1c/groups/g1")).contains("5d1c");
    }

    @Test
    void adminEventsOnAnythingElseMarkNobody() {
        assertThat(ChangeTriggers.ofAdminEvent("REALM_ROLE_MAPPING", "groups/g1/role-mappings/realm")).isEmpty();
        assertThat(ChangeTriggers.ofAdminEvent("CLIENT", "clients/c1")).isEmpty();
        assertThat(ChangeTriggers.ofAdminEvent("USER", "users/")).isEmpty();
        assertThat(ChangeTriggers.ofAdminEvent(null, "users/5d1c")).isEmpty();
    }

    @Test
    void aSignInThroughAnIdentityProviderMarksItsUserForTheMappersMayHaveSyncedThem() {
        assertThat(ChangeTriggers.ofUserEvent("LOGIN", "u1", Map.of("identity_provider", "hq-idp", "auth_method", "openid-connect")))
                .contains("u1");
        assertThat(ChangeTriggers.ofUserEvent("LOGIN", "u1", Map.of("auth_method", "openid-connect"))).isEmpty();
        assertThat(ChangeTriggers.ofUserEvent("LOGIN", "u1", null)).isEmpty();
        assertThat(ChangeTriggers.ofUserEvent("REFRESH_TOKEN", "u1", Map.of("identity_provider", "hq-idp"))).as("only the sign-in itself")
                .isEmpty();
    }
}
