package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.resource.InputStreamSource;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica's admin REST resource against its OpenAPI document
 * ({@code provider/src/main/resources/openapi/replica-admin.openapi.json}): every documented path answers
 * as documented, with bodies its schemas accept (no field the document does not name), and without a
 * token with 401.
 */
@ExtendWith(ReplicaStack.class)
class AdminApiContractIT {

    private static final String DOCUMENT = "openapi/replica-admin.openapi.json";
    private static final String BASE = "https://keycloak-replica.github.io/openapi/replica-admin.json";

    @Test
    void everyDocumentedEndpointAnswersAsTheDocumentSays(ReplicaSite site) throws IOException {
        byte[] text;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(DOCUMENT)) {
            assertThat(in).as(DOCUMENT + " on the classpath").isNotNull();
            text = in.readAllBytes();
        }
        JsonNode document = KeycloakHttp.JSON.readTree(text);
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders.values(list -> {
                    list.clear();
                    list.add(iri -> iri.toString().startsWith(BASE) ? (InputStreamSource) () -> new ByteArrayInputStream(text) : null);
                })));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

        try (TestRealm realm = new TestRealm(site, "contract")) {
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            realm.replicate(upstream, SeveranceIT.linkSettings(3, 1));
            String subject = UUID.randomUUID().toString();
            String username = ReplicationIT.uniqueName("api");
            upstream.upsert(subject, ReplicationIT.person(username));
            upstream.sendRaw(upstream.topics().identity(), subject, "not json".getBytes(StandardCharsets.UTF_8));
            realm.awaitUser(username, u -> true);
            KeycloakHttp.Response started = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "full", "reason", "contract test"));
            check(factory, config, started, "/operations", "post", "202");
            String id = started.json().get("id").asText();
            SyncOperationsIT.awaitSucceeded(site, realm, id);
            check(factory, config, site.keycloak().admin("POST", realm.name + "/replica/operations", Map.of("kind", "full")),
                    "/operations", "post", "400");

            List<String> checked = new ArrayList<>();
            for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
                String url = "/admin/realms/" + realm.name + "/replica" + path.getKey().replace("{subject}", subject).replace("{id}", id);
                if (path.getValue().has("get")) {
                    KeycloakHttp.Response response = site.keycloak().withToken(site.keycloak().adminToken(), "GET", url, null);
                    check(factory, config, response, path.getKey(), "get", "200");
                    checked.add("GET " + path.getKey());
                }
                for (String method : Set.of("get", "post")) {
                    if (path.getValue().has(method)) {
                        assertThat(site.keycloak().withToken(null, method.toUpperCase(), url, method.equals("post") ? Map.of() : null).status())
                                .as(method + " " + path.getKey() + " without a token").isEqualTo(401);
                    }
                }
            }
            assertThat(checked).contains("GET /link", "GET /lag", "GET /operations", "GET /operations/{id}", "GET /subjects/{subject}",
                    "GET /dead-letters");
        }
    }

    /** The answer has the documented status, and its body matches the documented schema. */
    private static void check(JsonSchemaFactory factory, SchemaValidatorsConfig config, KeycloakHttp.Response response, String path,
                              String method, String status) {
        assertThat(String.valueOf(response.status())).as(method + " " + path + ": " + response).isEqualTo(status);
        String pointer = "/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method + "/responses/" + status
                + "/content/application~1json/schema";
        JsonSchema schema = factory.getSchema(SchemaLocation.of(BASE + "#" + pointer), config);
        Set<ValidationMessage> problems = schema.validate(response.json());
        assertThat(problems).as(method + " " + path + " " + status + " against the document: " + response.json()).isEmpty();
    }
}
