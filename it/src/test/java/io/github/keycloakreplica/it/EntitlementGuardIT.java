package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whoever can write to the topics must not become an administrator of the realm that follows them: the
 * stream does not grant the realm's administrative roles, nor roles that contain them, unless the
 * component's setting names them; what it no longer may grant, the person loses.
 */
@ExtendWith(ReplicaStack.class)
class EntitlementGuardIT {

    private static final String PASSWORD = "a person's own password";
    private static final String REFUSAL_TAIL = "the stream may grant it only if the component setting "
            + "'Administrative roles the stream may grant' lists ";

    @Test
    void twoForgedRecordsDoNotMakeAnyoneARealmAdministrator(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "guard")) {
            Upstream upstream = realm.upstream(1);
            realm.replicate(upstream, Map.of());
            KeycloakHttp http = site.keycloak();
            // A realm role an administrator made for team leads, which lets them manage users.
            assertThat(http.admin("POST", realm.name + "/roles", Map.of("name", "team-lead")).status()).isEqualTo(201);
            assertThat(http.admin("POST", realm.name + "/roles", Map.of("name", "reader")).status()).isEqualTo(201);
            assertThat(http.admin("POST", realm.name + "/roles/team-lead/composites",
                    List.of(realmManagementRole(http, realm, "manage-users"))).status()).isEqualTo(204);
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("mallory");
            upstream.upsert(subject, Map.of("username", username, "enabled", true));
            upstream.password(subject, "pw-" + subject, PASSWORD);
            realm.awaitUser(username, u -> true);

            upstream.upsert(subject, Map.of("clientRoles.realm-management", List.of("realm-admin")));
            upstream.upsert(subject, Map.of("realmRoles", List.of("team-lead", "reader")));

            JsonNode view = Awaitility.await("both refusals recorded").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.subject(subject).orElse(null), v -> v != null && v.get("unresolved").size() == 2);
            assertThat(People.names(view.get("unresolved"), null)).containsExactlyInAnyOrder(
                    "refused: client role 'realm-management.realm-admin' is administrative; " + REFUSAL_TAIL + "'realm-management.realm-admin'",
                    "refused: realm role 'team-lead' contains client role 'realm-management.manage-users', which is administrative; "
                            + REFUSAL_TAIL + "'team-lead'");
            assertThat(People.names(http.admin("GET", realm.name + "/users/" + subject + "/role-mappings/realm", null).json(), "name"))
                    .as("the rest of the record applies").contains("reader").doesNotContain("team-lead");
            assertThat(realmManagementRolesOf(http, realm, subject)).isEmpty();
            assertThat(adminCall(site, realm, username).status()).as("the person's token at the admin API").isEqualTo(403);
        }
    }

    @Test
    void theComponentSettingLetsTheStreamGrantExactlyWhatItNames(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "guardset")) {
            Upstream upstream = realm.upstream(1);
            KeycloakHttp http = site.keycloak();
            KeycloakHttp.Response pattern = http.admin("POST", realm.name + "/components", TestRealm.component(Map.of(
                    "bootstrapServers", site.stack().broker().bootstrapServers(), "topicPrefix", upstream.topics().prefix(),
                    "consumerGroup", realm.name, "streamMayGrant", "realm-management.*")));
            assertThat(pattern.status()).as(pattern.toString()).isEqualTo(400);
            assertThat(pattern.body()).contains("'realm-management.*' is not a pattern");

            String componentId = realm.replicate(upstream, Map.of("streamMayGrant", "realm-management.view-users"));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("victor");
            upstream.upsert(subject, Map.of("username", username, "enabled", true,
                    "clientRoles.realm-management", List.of("view-users", "realm-admin")));
            upstream.password(subject, "pw-" + subject, PASSWORD);
            realm.awaitUser(username, u -> true);

            JsonNode view = Awaitility.await("the refusal recorded").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.subject(subject).orElse(null), v -> v != null && v.get("unresolved").size() == 1);
            assertThat(People.names(view.get("unresolved"), null)).containsExactly(
                    "refused: client role 'realm-management.realm-admin' is administrative; " + REFUSAL_TAIL + "'realm-management.realm-admin'");
            assertThat(realmManagementRolesOf(http, realm, subject)).containsExactly("view-users");
            assertThat(adminCall(site, realm, username).status()).as("view-users lets the person list users").isEqualTo(200);

            // Allowed no longer: the person loses the role at the next change of their roles.
            ObjectNode component = (ObjectNode) http.admin("GET", realm.name + "/components/" + componentId, null).json();
            ((ObjectNode) component.get("config")).putArray("streamMayGrant").add("realm-management.query-users");
            assertThat(http.admin("PUT", realm.name + "/components/" + componentId, component).status()).isEqualTo(204);
            upstream.upsert(subject, Map.of("clientRoles.realm-management", List.of("view-users", "realm-admin")));
            view = Awaitility.await("both refusals recorded").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.subject(subject).orElseThrow(), v -> v.get("unresolved").size() == 2);
            assertThat(People.names(view.get("unresolved"), null)).contains(
                    "refused: client role 'realm-management.view-users' is administrative; " + REFUSAL_TAIL + "'realm-management.view-users'");
            assertThat(realmManagementRolesOf(http, realm, subject)).isEmpty();
            assertThat(adminCall(site, realm, username).status()).isEqualTo(403);
        }
    }

    private static String realmManagement(KeycloakHttp http, TestRealm realm) {
        return http.admin("GET", realm.name + "/clients?clientId=realm-management", null).json().get(0).get("id").asText();
    }

    private static JsonNode realmManagementRole(KeycloakHttp http, TestRealm realm, String role) {
        return http.admin("GET", realm.name + "/clients/" + realmManagement(http, realm) + "/roles/" + role, null).json();
    }

    /** The realm-management roles mapped to the user directly. */
    private static List<String> realmManagementRolesOf(KeycloakHttp http, TestRealm realm, String userId) {
        return People.names(http.admin("GET", realm.name + "/users/" + userId + "/role-mappings/clients/"
                + realmManagement(http, realm), null).json(), "name");
    }

    /** The person signs in with their own password and lists the realm's users through the admin API. */
    private static KeycloakHttp.Response adminCall(ReplicaSite site, TestRealm realm, String username) {
        KeycloakHttp.Response token = Awaitility.await("password grant for " + username).atMost(ReplicaSite.APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(300))
                .until(() -> site.keycloak().passwordGrant(realm.name, "admin-cli", null, username, PASSWORD), r -> r.status() == 200);
        return site.keycloak().withToken(token.json().get("access_token").asText(), "GET", "/admin/realms/" + realm.name + "/users", null);
    }
}
