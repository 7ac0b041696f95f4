package io.github.keycloakreplica.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.resource.InputStreamSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * openapi/replica-publisher-admin.openapi.json against {@link PublisherAdminResource}'s answer types, without a server:
 * each documented object names exactly the fields of its record, and what Keycloak's serializer (nulls left out) makes
 * of a full and of a bare answer validates. {@code PublisherApiContractIT} checks the same against a real primary.
 */
final class PublisherAdminDocumentTest {

    private static final String DOCUMENT = "openapi/replica-publisher-admin.openapi.json";
    private static final String BASE = "https://keycloak-replica.github.io/openapi/replica-publisher-admin.json";
    private static final ObjectMapper KEYCLOAK_JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private static final Map<String, Class<? extends Record>> SCHEMAS = Map.of(
            "StatusView", PublisherAdminResource.StatusView.class,
            "BacklogView", PublisherAdminResource.BacklogView.class,
            "RelayView", PublisherAdminResource.RelayView.class,
            "ReconcileView", PublisherAdminResource.ReconcileView.class, "SetAsideView", PublisherAdminResource.SetAsideView.class);

    private final byte[] text = read();
    private final JsonNode document = parse(text);

    @Test
    void eachSchemaNamesExactlyItsRecordsFieldsAndRequiresThoseThatAreNeverNull() {
        assertThat(document.at("/components/schemas").properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrderElementsOf(SCHEMAS.keySet());
        SCHEMAS.forEach((name, type) -> {
            JsonNode schema = document.at("/components/schemas/" + name);
            List<String> fields = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
            List<String> primitive = Arrays.stream(type.getRecordComponents()).filter(c -> c.getType().isPrimitive())
                    .map(RecordComponent::getName).toList();
            List<String> documented = new ArrayList<>();
            schema.get("properties").fieldNames().forEachRemaining(documented::add);
            List<String> required = new ArrayList<>();
            schema.get("required").forEach(r -> required.add(r.asText()));

            assertThat(documented).as(name + "'s properties").containsExactlyInAnyOrderElementsOf(fields);
            assertThat(required).as(name + "'s required fields").containsAll(primitive).isSubsetOf(fields);
            assertThat(schema.get("additionalProperties").asBoolean(true)).as(name + " refuses undocumented fields").isFalse();
            schema.get("properties").properties().forEach(p -> assertThat(p.getValue().has("$ref") || p.getValue().has("description"))
                    .as(name + "." + p.getKey() + " is described").isTrue());
        });
    }

    @Test
    void aFullAndABareAnswerValidateAndAnUndocumentedFieldDoesNot() {
        JsonSchema status = schema();
        PublisherAdminResource.StatusView full = new PublisherAdminResource.StatusView("acme", true,
                new PublisherAdminResource.RelayView("4711@primary-1", 3, "2026-12-08T10:00:30Z", true, 1),
                new PublisherAdminResource.BacklogView(2, "2026-12-08T10:00:00.125Z", 14, "2026-12-08T09:59:58Z", 2L),
                "2026-12-08T10:00:01Z", "2026-12-08T10:00:01Z", 1_234, 56, "TimeoutException: Topic acme.identity not present",
                "2026-12-08T09:00:00Z",
                new PublisherAdminResource.ReconcileView(false, "periodic", "2026-12-08T09:55:00Z", "2026-12-08T09:55:02Z", 56, 1, 9),
                new PublisherAdminResource.SetAsideView(1, "0b6f3c1e-5f0e-4a53-9f43-7d1c2a9e8b10: the stream contract cannot carry them",
                        "2026-12-08T09:55:01Z"));
        PublisherAdminResource.StatusView bare = new PublisherAdminResource.StatusView("acme", false, null,
                new PublisherAdminResource.BacklogView(0, null, 0, null, null), null, null, 0, 0, null, null, null, null);

        for (PublisherAdminResource.StatusView answer : List.of(full, bare)) {
            assertThat(status.validate(KEYCLOAK_JSON.valueToTree(answer))).as(answer.toString()).isEmpty();
        }
        ObjectNode extra = KEYCLOAK_JSON.valueToTree(full);
        ((ObjectNode) extra.get("backlog")).put("oldestIntentAgeSeconds", 2);
        assertThat(status.validate(extra)).as("a field the document does not name").isNotEmpty();
        ObjectNode noDate = KEYCLOAK_JSON.valueToTree(full);
        noDate.put("lastHeartbeatAt", "yesterday");
        assertThat(status.validate(noDate)).as("an instant that is none").isNotEmpty();
    }

    private JsonSchema schema() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders.values(list -> {
                    list.clear();
                    list.add(iri -> iri.toString().startsWith(BASE) ? (InputStreamSource) () -> new ByteArrayInputStream(text) : null);
                })));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        String pointer = "/paths/~1status/get/responses/200/content/application~1json/schema";
        return factory.getSchema(SchemaLocation.of(BASE + "#" + pointer), config);
    }

    private static byte[] read() {
        try (InputStream in = PublisherAdminDocumentTest.class.getClassLoader().getResourceAsStream(DOCUMENT)) {
            assertThat(in).as(DOCUMENT + " on the classpath").isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(byte[] text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(DOCUMENT + " is no JSON", e);
        }
    }
}
