package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import io.github.keycloakreplica.stack.KeycloakHttp;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher's admin REST resource on a real primary against its OpenAPI document
 * ({@code provider/src/main/resources/openapi/replica-publisher-admin.openapi.json}): every documented path answers
 * as documented, with a body its schema accepts, to the server's admin and to an administrator with only
 * {@code view-realm} of the realm; the same answer with a field the document does not name fails the schema. Someone
 * with only {@code view-users}, or a manager of another realm, is refused; a request without a token gets 401.
 */
@ExtendWith(PrimaryStack.class)
class PublisherApiContractIT {

    private static final String DOCUMENT = "openapi/replica-publisher-admin.openapi.json";
    private static final String BASE = "https://keycloak-replica.github.io/openapi/replica-publisher-admin.json";
    private static final String PASSWORD = "Contract-Pa55word";

    @Test
    void everyDocumentedPathAnswersAsTheDocumentSays(PrimarySite site) {
        OpenApiDocument document = OpenApiDocument.load(DOCUMENT, BASE);
        KeycloakHttp primary = site.primary();
        String base = "/admin/realms/" + REALM + "/replica-publisher";

        // A change at the primary, so that every part of the answer has been through its paces: versioned, published,
        // a heartbeat sent, and the reconcile the publisher ran when it started.
        String username = People.uniqueName("pub-api");
        Map<String, Object> person = new LinkedHashMap<>();
        person.put("username", username);
        person.put("email", username + "@example.com");
        person.put("firstName", "Api");
        person.put("lastName", "Contract");
        person.put("enabled", true);
        site.createAtPrimary(person);
        JsonNode settled = Awaitility.await("the publisher's backlog drained, with a heartbeat and a reconcile behind it")
                .atMost(PROPAGATION.plus(PrimarySite.RECONCILE_INTERVAL))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> primary.admin("GET", REALM + "/replica-publisher/status", null).json(),
                        s -> s.at("/backlog/intents").asLong(-1) == 0 && s.at("/backlog/unpublished").asLong(-1) == 0
                                && s.has("lastHeartbeatAt") && s.has("reconcile") && s.at("/relay/leaseLive").asBoolean());
        assertThat(settled.get("realm").asText()).isEqualTo(REALM);
        assertThat(settled.get("publishing").asBoolean()).isTrue();
        assertThat(settled.get("published").asLong()).isPositive();
        assertThat(settled.get("livePeople").asLong()).isPositive();
        assertThat(settled.get("backlog").has("oldestUnpublishedAt")).as("nothing waits: " + settled).isFalse();

        List<String> created = new ArrayList<>();
        try {
            String realmViewer = masterUserWith(primary, REALM + "-realm", "view-realm", created);
            String usersViewer = masterUserWith(primary, REALM + "-realm", "view-users", created);
            String otherManager = masterUserWith(primary, "master-realm", "manage-realm", created);

            List<String> checked = new ArrayList<>();
            for (Map.Entry<String, JsonNode> path : document.paths().properties()) {
                assertThat(path.getValue().properties()).extracting(Map.Entry::getKey).as(path.getKey() + ": only reads")
                        .containsOnly("get");
                String url = base + path.getKey();
                KeycloakHttp.Response asAdmin = primary.withToken(primary.adminToken(), "GET", url, null);
                JsonSchema schema = document.check(asAdmin, path.getKey(), "get", 200);
                document.check(primary.withToken(realmViewer, "GET", url, null), path.getKey(), "get", 200);
                assertThat(primary.withToken(usersViewer, "GET", url, null).status()).as("GET " + path.getKey() + " with view-users only")
                        .isEqualTo(403);
                assertThat(primary.withToken(otherManager, "GET", url, null).status()).as("GET " + path.getKey() + " as another realm's manager")
                        .isIn(401, 403);
                assertThat(primary.withToken(null, "GET", url, null).status()).as("GET " + path.getKey() + " without a token").isEqualTo(401);

                // The document says which fields there are: one it does not name fails, at the top and inside.
                ObjectNode extra = (ObjectNode) asAdmin.json().deepCopy();
                extra.put("lastSecret", "x");
                assertThat(schema.validate(extra)).as("an undocumented field at the top").isNotEmpty();
                if (extra.has("backlog")) {
                    ObjectNode nested = (ObjectNode) asAdmin.json().deepCopy();
                    ((ObjectNode) nested.get("backlog")).put("oldestIntentAgeSeconds", 1);
                    assertThat(schema.validate(nested)).as("an undocumented field in the backlog").isNotEmpty();
                }
                checked.add("GET " + path.getKey());
            }
            assertThat(checked).containsExactly("GET /status");
        } finally {
            for (String id : created) {
                primary.admin("DELETE", "master/users/" + id, null);
            }
        }
    }

    /**
     * A user of the primary's master realm holding one role of one of its clients (a realm's {@code <realm>-realm}
     * client holds the admin roles for that realm), signed in through admin-cli; returns the access token. The master
     * realm publishes nothing, so no replica sees these people.
     */
    private static String masterUserWith(KeycloakHttp keycloak, String clientId, String role, List<String> created) {
        String username = People.uniqueName("pub-op");
        KeycloakHttp.Response made = keycloak.admin("POST", "master/users", Map.of("username", username, "enabled", true,
                "email", username + "@example.com", "firstName", "Op", "lastName", "Erator",
                "credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false))));
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        String userId = keycloak.admin("GET", "master/users?exact=true&username=" + username, null).json().get(0).get("id").asText();
        created.add(userId);
        String client = keycloak.admin("GET", "master/clients?clientId=" + clientId, null).json().get(0).get("id").asText();
        JsonNode roleRep = keycloak.admin("GET", "master/clients/" + client + "/roles/" + role, null).json();
        KeycloakHttp.Response granted = keycloak.admin("POST", "master/users/" + userId + "/role-mappings/clients/" + client, List.of(roleRep));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(204);
        KeycloakHttp.Response token = keycloak.passwordGrant("master", "admin-cli", null, username, PASSWORD);
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().get("access_token").asText();
    }
}
