package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.PUBLIC_CLIENT;
import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static io.github.keycloakreplica.it.ReplicaSite.UPSTREAM_NAME;
import static org.assertj.core.api.Assertions.assertThat;

/** Replicated identity cannot be edited at the replica; every refusal names the upstream. */
@ExtendWith(ReplicaStack.class)
class ReadOnlyIdentityIT {

    private static final String READ_ONLY = "is replicated from " + UPSTREAM_NAME + " and is read-only on this replica";

    private String subject;
    private String username;
    private JsonNode original;

    @BeforeEach
    void replicateAUser(ReplicaSite site) {
        subject = UUID.randomUUID().toString();
        username = People.uniqueName("erin");
        site.upstream().upsert(subject, People.person(username));
        site.upstream().password(subject, UUID.randomUUID().toString(), "erin's password");
        original = site.awaitUser(username, u -> true);
        site.awaitToken(REALM, username, "erin's password");
    }

    @Test
    void adminRestEditsOfAttributesAreRefusedNamingTheUpstream(ReplicaSite site) {
        ObjectNode edit = original.deepCopy();
        edit.put("firstName", "Mallory");

        KeycloakHttp.Response response = site.keycloak().admin("PUT", REALM + "/users/" + subject, edit);

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("firstName " + READ_ONLY).contains("Change it at " + UPSTREAM_NAME);
        // The user profile refuses attribute edits in Keycloak's validation error shape, which docs/replication.md shows.
        assertThat(response.json().path("field").asText()).isEqualTo("firstName");
        assertThat(response.json().path("errorMessage").asText()).contains("firstName " + READ_ONLY);
        assertUnchanged(site);
    }

    @Test
    void adminRestEditsOfCoreFieldsAreRefusedNamingTheUpstream(ReplicaSite site) {
        ObjectNode disable = original.deepCopy();
        disable.put("enabled", false);

        KeycloakHttp.Response response = site.keycloak().admin("PUT", REALM + "/users/" + subject, disable);

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).isEqualTo("replica_read_only");
        assertThat(response.json().get("error_description").asText()).contains("User " + username + " " + READ_ONLY);
        assertUnchanged(site);
    }

    @Test
    void savingTheUserUnchangedIsNotAnEdit(ReplicaSite site) {
        KeycloakHttp.Response response = site.keycloak().admin("PUT", REALM + "/users/" + subject, original);

        assertThat(response.status()).as(response.toString()).isEqualTo(204);
        assertUnchanged(site);
    }

    @Test
    void roleMappingsGroupsAndDeletionAreRefusedNamingTheUpstream(ReplicaSite site) {
        JsonNode operator = site.keycloak().admin("GET", REALM + "/roles/operator", null).json();
        KeycloakHttp.Response grant = site.keycloak().admin("POST", REALM + "/users/" + subject + "/role-mappings/realm", List.of(operator));
        assertThat(grant.status()).as(grant.toString()).isEqualTo(400);
        assertThat(grant.body()).contains(READ_ONLY);

        JsonNode leadRole = site.keycloak().admin("GET", REALM + "/roles/project-lead", null).json();
        KeycloakHttp.Response revoke = site.keycloak().admin("DELETE", REALM + "/users/" + subject + "/role-mappings/realm", List.of(leadRole));
        assertThat(revoke.status()).as(revoke.toString()).isEqualTo(400);
        assertThat(revoke.body()).contains(READ_ONLY);

        String engineering = site.keycloak().admin("GET", REALM + "/group-by-path/site-a/engineering", null).json().get("id").asText();
        KeycloakHttp.Response join = site.keycloak().admin("PUT", REALM + "/users/" + subject + "/groups/" + engineering, null);
        assertThat(join.status()).as(join.toString()).isEqualTo(400);
        assertThat(join.body()).contains(READ_ONLY);

        KeycloakHttp.Response delete = site.keycloak().admin("DELETE", REALM + "/users/" + subject, null);
        assertThat(delete.status()).as(delete.toString()).isEqualTo(400);
        assertThat(delete.body()).contains(READ_ONLY);

        assertUnchanged(site);
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/role-mappings/realm", null).json(), "name"))
                .contains("project-lead").doesNotContain("operator");
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/groups", null).json(), "path"))
                .containsExactly("/site-a/ops");
    }

    @Test
    void theAccountConsoleRefusesProfileEditsNamingTheUpstream(ReplicaSite site) {
        String token = site.keycloak().passwordGrant(REALM, PUBLIC_CLIENT, null, username, "erin's password").json().get("access_token").asText();
        JsonNode account = site.keycloak().withToken(token, "GET", "/realms/" + REALM + "/account/", null).json();
        assertThat(account.get("username").asText()).isEqualTo(username);

        ObjectNode edit = account.deepCopy();
        edit.put("lastName", "Mallory");
        KeycloakHttp.Response response = site.keycloak().withToken(token, "POST", "/realms/" + REALM + "/account/", edit);

        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.body()).contains("lastName " + READ_ONLY);
        assertUnchanged(site);
    }

    @Test
    void theAccountConsoleShowsReplicatedFieldsAsReadOnly(ReplicaSite site) {
        String token = site.keycloak().passwordGrant(REALM, PUBLIC_CLIENT, null, username, "erin's password").json().get("access_token").asText();
        JsonNode account = site.keycloak().withToken(token, "GET", "/realms/" + REALM + "/account/?userProfileMetadata=true", null).json();

        for (JsonNode attribute : account.at("/userProfileMetadata/attributes")) {
            assertThat(attribute.path("readOnly").asBoolean()).as(attribute.get("name").asText() + " read-only").isTrue();
        }
    }

    @Test
    void theAdminConsoleShowsReplicatedFieldsAsReadOnly(ReplicaSite site) {
        JsonNode user = site.keycloak().admin("GET", REALM + "/users/" + subject + "?userProfileMetadata=true", null).json();

        for (JsonNode attribute : user.at("/userProfileMetadata/attributes")) {
            assertThat(attribute.path("readOnly").asBoolean()).as(attribute.get("name").asText() + " read-only").isTrue();
        }
        assertThat(user.at("/userProfileMetadata/attributes").size()).isGreaterThanOrEqualTo(4);
    }

    private void assertUnchanged(ReplicaSite site) {
        JsonNode now = site.keycloak().admin("GET", REALM + "/users/" + subject, null).json();
        for (String field : List.of("username", "email", "firstName", "lastName", "enabled", "emailVerified")) {
            assertThat(now.get(field)).as(field).isEqualTo(original.get(field));
        }
        assertThat(now.path("attributes").path("department")).isEqualTo(original.path("attributes").path("department"));
    }
}
