package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.InputStreamSource;

import java.io.InputStream;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The published JSON Schemas, loaded once from this jar. They are the authority on the stream format;
 * the codec only maps what they accepted onto records.
 */
public final class EventSchemas {

    static final String BASE_IRI = "https://keycloak-replica.github.io/schema/v1/";
    private static final int MAX_REPORTED_ERRORS = 5;

    /** The request a replica sends to the authority's credential write path. */
    static final String CHANGE_REQUEST = "replica.credential.change-request";

    private final Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
    private final JsonSchema changeRequest;

    public EventSchemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.schemaLoaders(loaders -> loaders.values(list -> {
                    // Only our own schemas resolve: a $ref must never make the server reach the network.
                    list.clear();
                    list.add(EventSchemas::fromThisJar);
                })));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(com.networknt.schema.PathType.JSON_PATH)
                .build();
        for (EventType type : EventType.values()) {
            schemas.put(type, factory.getSchema(SchemaLocation.of(BASE_IRI + type.value() + ".schema.json"), config));
        }
        changeRequest = factory.getSchema(SchemaLocation.of(BASE_IRI + CHANGE_REQUEST + ".schema.json"), config);
    }

    /** Validates a credential change request against its schema; the errors say where, by JSON path. */
    public void validateChangeRequest(JsonNode request) throws InvalidEventException {
        check(changeRequest, CHANGE_REQUEST, request);
    }

    /** Validates one event against its type's schema; the errors say where, by JSON path. */
    public void validate(EventType type, JsonNode event) throws InvalidEventException {
        check(schemas.get(type), type.toString(), event);
    }

    private static void check(JsonSchema schema, String name, JsonNode node) throws InvalidEventException {
        Set<ValidationMessage> messages = schema.validate(node);
        if (messages.isEmpty()) {
            return;
        }
        List<String> errors = messages.stream()
                .sorted(Comparator.comparing(m -> m.getInstanceLocation().toString()))
                .map(ValidationMessage::getMessage)
                .distinct()
                .toList();
        String shown = String.join("; ", errors.subList(0, Math.min(errors.size(), MAX_REPORTED_ERRORS)));
        String more = errors.size() > MAX_REPORTED_ERRORS ? " (and " + (errors.size() - MAX_REPORTED_ERRORS) + " more)" : "";
        throw new InvalidEventException("does not match the " + name + " schema: " + shown + more);
    }

    private static InputStreamSource fromThisJar(AbsoluteIri iri) {
        String value = iri.toString();
        if (!value.startsWith(BASE_IRI)) {
            return null;
        }
        String resource = "schema/" + value.substring(BASE_IRI.length());
        return () -> {
            InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(resource);
            if (in == null) {
                throw new java.io.FileNotFoundException("no schema " + resource + " in the provider jar");
            }
            return in;
        };
    }
}
