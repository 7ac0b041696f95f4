package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.CLIENT_SECRET;
import static io.github.keycloakreplica.it.ReplicaSite.CONFIDENTIAL_CLIENT;
import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/** From an upstream event on Kafka to a person signing in at the replica. */
@ExtendWith(ReplicaStack.class)
class ReplicationIT {

    @Test
    void aPublishedUserAppearsWithEveryFieldRightAndSignsInWithTheReplicatedPassword(ReplicaSite site) {
        Upstream upstream = site.upstream();
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("alice");
        upstream.upsert(subject, People.person(username));
        upstream.password(subject, UUID.randomUUID().toString(), "correct horse battery staple");

        JsonNode user = site.awaitUser(username, u -> true);
        assertThat(user.get("id").asText()).isEqualTo(subject);
        assertThat(user.get("username").asText()).isEqualTo(username);
        assertThat(user.get("email").asText()).isEqualTo(username + "@example.com");
        assertThat(user.get("emailVerified").asBoolean()).isTrue();
        assertThat(user.get("firstName").asText()).isEqualTo("Alice");
        assertThat(user.get("lastName").asText()).isEqualTo("Example");
        assertThat(user.get("enabled").asBoolean()).isTrue();
        assertThat(user.at("/attributes/department/0").asText()).isEqualTo("engineering");
        assertThat(user.get("federationLink").asText()).isEqualTo(replicaComponentId(site));

        JsonNode realmRoles = site.keycloak().admin("GET", REALM + "/users/" + subject + "/role-mappings/realm", null).json();
        assertThat(People.names(realmRoles, "name")).contains("project-lead").doesNotContain("operator");
        JsonNode groups = site.keycloak().admin("GET", REALM + "/users/" + subject + "/groups", null).json();
        assertThat(People.names(groups, "path")).containsExactly("/site-a/ops");

        KeycloakHttp.Response token = site.awaitToken(REALM, username, "correct horse battery staple");
        JsonNode claims = KeycloakHttp.claims(token.json().get("access_token").asText());
        assertThat(claims.get("sub").asText()).isEqualTo(subject);
        assertThat(claims.get("preferred_username").asText()).isEqualTo(username);
        assertThat(People.names(claims.at("/realm_access/roles"), null)).contains("project-lead");

        KeycloakHttp.Response wrong = site.keycloak().passwordGrant(REALM, CONFIDENTIAL_CLIENT, CLIENT_SECRET, username, "Tr0ub4dor&3");
        assertRefused(wrong, "Invalid user credentials");
    }

    @Test
    void laterUpdatesAndTheDeletionAreReflected(ReplicaSite site) {
        Upstream upstream = site.upstream();
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("bob");
        String passwordId = UUID.randomUUID().toString();
        upstream.upsert(subject, People.person(username));
        upstream.password(subject, passwordId, "first password");
        site.awaitUser(username, u -> true);
        site.awaitToken(REALM, username, "first password");

        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("email", username + "@new.example.com");
        changes.put("firstName", "Robert");
        changes.put("realmRoles", List.of("operator"));
        changes.put("groups", List.of("/site-a/engineering"));
        changes.put("department", null);
        upstream.upsert(subject, changes);
        upstream.password(subject, passwordId, "second password");

        JsonNode updated = site.awaitUser(username, u -> "Robert".equals(u.path("firstName").asText()));
        assertThat(updated.get("email").asText()).isEqualTo(username + "@new.example.com");
        assertThat(updated.get("lastName").asText()).isEqualTo("Example");
        assertThat(updated.path("attributes").has("department")).isFalse();
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/role-mappings/realm", null).json(), "name"))
                .contains("operator").doesNotContain("project-lead");
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/groups", null).json(), "path"))
                .containsExactly("/site-a/engineering");
        site.awaitToken(REALM, username, "second password");
        assertRefused(site.keycloak().passwordGrant(REALM, CONFIDENTIAL_CLIENT, CLIENT_SECRET, username, "first password"),
                "Invalid user credentials");

        upstream.upsert(subject, Map.of("enabled", false));
        site.awaitUser(username, u -> !u.get("enabled").asBoolean());
        assertRefused(site.keycloak().passwordGrant(REALM, CONFIDENTIAL_CLIENT, CLIENT_SECRET, username, "second password"),
                "Account disabled");

        upstream.delete(subject);
        site.awaitNoUser(username);
        assertThat(site.keycloak().admin("GET", REALM + "/users/" + subject, null).status()).isEqualTo(404);
        assertRefused(site.keycloak().passwordGrant(REALM, CONFIDENTIAL_CLIENT, CLIENT_SECRET, username, "second password"),
                "Invalid user credentials");
    }

    /** Keycloak 26.7 answers a refused password grant with 400 invalid_grant (RFC 6749, 5.2). */
    static void assertRefused(KeycloakHttp.Response response, String description) {
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).isEqualTo("invalid_grant");
        assertThat(response.json().get("error_description").asText()).isEqualTo(description);
    }

    @Test
    void aSubjectThatCannotBeAKeycloakIdGetsAStableIdAndKeepsTheSubject(ReplicaSite site) {
        String subject = "CN=" + People.uniqueName("carol") + ",OU=Engineering,DC=example,DC=com";
        String username = People.uniqueName("carol");
        site.upstream().upsert(subject, People.person(username));
        site.upstream().password(subject, "pw-" + subject, "carols password");

        JsonNode user = site.awaitUser(username, u -> true);
        String id = user.get("id").asText();
        assertThat(id).hasSize(36).isNotEqualTo(subject);
        assertThat(user.at("/attributes/replicaSubject/0").asText()).isEqualTo(subject);
        JsonNode claims = KeycloakHttp.claims(site.awaitToken(REALM, username, "carols password").json().get("access_token").asText());
        assertThat(claims.get("sub").asText()).isEqualTo(id);

        JsonNode replicated = site.keycloak().admin("GET", REALM + "/replica/subjects/"
                + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20"), null).json();
        assertThat(replicated.get(0).get("userId").asText()).isEqualTo(id);
        assertThat(replicated.get(0).at("/attributes/username/version").asLong()).isEqualTo(1);
        assertThat(replicated.get(0).at("/credentials").size()).isEqualTo(1);
        assertThat(replicated.toString()).doesNotContain("secretData").doesNotContain("salt");
    }

    static String replicaComponentId(ReplicaSite site) {
        JsonNode components = site.keycloak().admin("GET", REALM + "/components?type=org.keycloak.storage.UserStorageProvider", null).json();
        for (JsonNode component : components) {
            if ("replica".equals(component.path("providerId").asText())) {
                return component.get("id").asText();
            }
        }
        throw new AssertionError("no replica component in " + components);
    }
}
