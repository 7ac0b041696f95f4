package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica's admin REST resource against its OpenAPI document
 * ({@code provider/src/main/resources/openapi/replica-admin.openapi.json}): every documented path answers
 * as documented, with bodies its schemas accept (no field the document does not name), to an admin and to
 * a user with only {@code view-users}; a manager of another realm is refused everything, a viewer every
 * start, and a request without a token gets 401.
 */
@ExtendWith(ReplicaStack.class)
class AdminApiContractIT {

    private static final String DOCUMENT = "openapi/replica-admin.openapi.json";
    private static final String BASE = "https://keycloak-replica.github.io/openapi/replica-admin.json";

    @Test
    void everyDocumentedEndpointAnswersAsTheDocumentSays(ReplicaSite site) {
        OpenApiDocument document = OpenApiDocument.load(DOCUMENT, BASE);

        try (TestRealm realm = new TestRealm(site, "contract"); TestRealm other = new TestRealm(site, "contractother")) {
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            String componentId = realm.replicate(upstream, TestRealm.linkSettings(3, 1));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("api");
            upstream.upsert(subject, People.person(username));
            upstream.sendRaw(upstream.topics().identity(), subject, "not json".getBytes(StandardCharsets.UTF_8));
            realm.awaitUser(username, u -> true);
            // A gap: lastName v9 while the replica holds v1.
            upstream.send(new IdentityUpsert(upstream.envelope(EventType.IDENTITY_UPSERTED, subject),
                    Map.of("lastName", new VersionedValue(TextNode.valueOf("Later"), 9))));
            Awaitility.await("the gap").atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.subject(subject).orElseThrow().get("gaps").size() == 1);
            String viewer = realm.localUserWithRole("view-users");
            String outsider = other.localUserWithRole("manage-users");
            realm.awaitLinkReachable();
            KeycloakHttp.Response started = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "full", "reason", "contract test"));
            document.check(started, "/operations", "post", 202);
            String id = started.json().get("id").asText();
            realm.awaitOperationSucceeded(id);
            document.check(site.keycloak().admin("POST", realm.name + "/replica/operations", Map.of("kind", "full")),
                    "/operations", "post", 400);

            List<String> checked = new ArrayList<>();
            for (Map.Entry<String, JsonNode> path : document.paths().properties()) {
                String url = "/admin/realms/" + realm.name + "/replica" + path.getKey().replace("{subject}", subject).replace("{id}", id);
                if (path.getValue().has("get")) {
                    KeycloakHttp.Response response = site.keycloak().withToken(site.keycloak().adminToken(), "GET", url, null);
                    document.check(response, path.getKey(), "get", 200);
                    document.check(site.keycloak().withToken(viewer, "GET", url, null), path.getKey(), "get", 200);
                    checked.add("GET " + path.getKey());
                }
                if (path.getValue().has("post")) {
                    Map<String, String> start = Map.of("kind", "full", "reason", "not allowed");
                    assertThat(site.keycloak().withToken(viewer, "POST", url, start).status()).as("POST " + path.getKey() + " as a viewer")
                            .isEqualTo(403);
                    checked.add("POST " + path.getKey());
                }
                for (String method : Set.of("get", "post")) {
                    if (path.getValue().has(method)) {
                        Object body = method.equals("post") ? Map.of("kind", "full", "reason", "not allowed") : null;
                        assertThat(site.keycloak().withToken(null, method.toUpperCase(Locale.ROOT), url, body).status())
                                .as(method + " " + path.getKey() + " without a token").isEqualTo(401);
                        assertThat(site.keycloak().withToken(outsider, method.toUpperCase(Locale.ROOT), url, body).status())
                                .as(method + " " + path.getKey() + " as another realm's manager").isIn(401, 403);
                    }
                }
            }
            assertThat(checked).contains("GET /link", "GET /lag", "GET /operations", "GET /operations/{id}", "GET /subjects/{subject}",
                    "GET /dead-letters", "GET /gaps", "GET /severed-sign-ins", "GET /exposures", "POST /operations");
            // Nothing the refused requests asked for was started: the admin's two operations and the standing incremental sync.
            JsonNode operations = site.keycloak().admin("GET", realm.name + "/replica/operations", null).json();
            assertThat(operations).extracting(o -> o.get("kind").asText()).containsExactly("incremental", "full");

            // The incremental sync: a standing entry with its lag per partition, not something to start.
            KeycloakHttp.Response incremental = site.keycloak().admin("GET", realm.name + "/replica/operations/incremental-" + componentId, null);
            document.check(incremental, "/operations/{id}", "get", 200);
            assertThat(incremental.json().get("state").asText()).isEqualTo("RUNNING");
            assertThat(incremental.json().get("partitions")).hasSize(2);
            assertThat(incremental.json().get("lag").asLong()).as(incremental.toString()).isZero();
            assertThat(operations.get(0)).isEqualTo(incremental.json());
            KeycloakHttp.Response startIncremental = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "incremental", "reason", "try"));
            document.check(startIncremental, "/operations", "post", 400);
            assertThat(startIncremental.json().get("error_description").asText()).contains("runs whenever the component is enabled");

            JsonNode gaps = site.keycloak().admin("GET", realm.name + "/replica/gaps", null).json();
            assertThat(gaps.get("total").asLong()).isEqualTo(1);
            JsonNode gap = gaps.get("items").get(0);
            assertThat(gap.get("subject").asText()).isEqualTo(subject);
            assertThat(gap.get("username").asText()).isEqualTo(username);
            assertThat(gap.get("critical").asBoolean()).as("lastName is no access right").isFalse();
            assertThat(gap.get("waiting")).singleElement().satisfies(w -> {
                assertThat(w.get("name").asText()).isEqualTo("lastName");
                assertThat(w.get("version").asLong()).isEqualTo(9);
            });
        }
    }
}
