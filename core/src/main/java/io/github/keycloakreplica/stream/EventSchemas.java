package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.AbsoluteIri;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.InputStreamSource;

import java.io.FileNotFoundException;
import java.io.InputStream;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The published JSON Schemas, loaded once from this jar. They are the authority on the stream format;
 * the codec only maps what they accepted onto records. {@code "format": "email"} is checked by
 * {@link EmailAddress} rather than the library's own check, which refuses domains outside the public
 * top-level domains that Keycloak accepts.
 */
public final class EventSchemas {

    static final String BASE_IRI = "https://keycloak-replica.github.io/schema/v1/";
    private static final int MAX_REPORTED_ERRORS = 5;
    /** One validation message as shown in a reason: enough for a path and what is wrong with it. */
    private static final int MAX_SHOWN_ERROR_CHARS = 250;

    /** The request a replica sends to the authority's credential write path. */
    static final String CHANGE_REQUEST = "replica.credential.change-request";

    private final Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);
    private final JsonSchema changeRequest;

    public EventSchemas() {
        JsonMetaSchema metaSchema = JsonMetaSchema.builder(JsonMetaSchema.getV202012()).format(new EmailFormat()).build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.metaSchema(metaSchema).schemaLoaders(loaders -> loaders.values(list -> {
                    // Only our own schemas resolve: a $ref must never make the server reach the network.
                    list.clear();
                    list.add(EventSchemas::fromThisJar);
                })));
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                .pathType(PathType.JSON_PATH)
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
        List<String> errors;
        try {
            Set<ValidationMessage> messages = schema.validate(node);
            if (messages.isEmpty()) {
                return;
            }
            errors = messages.stream()
                    .sorted(Comparator.comparing(m -> m.getInstanceLocation().toString()))
                    .map(m -> LogSafe.escape(m.getMessage(), MAX_SHOWN_ERROR_CHARS))
                    .distinct()
                    .toList();
        } catch (RuntimeException e) {
            // The library failing on a record is the record's problem, never a reason to stop the stream.
            throw new InvalidEventException("could not be checked against the " + name + " schema (the validator failed with "
                    + e.getClass().getSimpleName() + ")");
        }
        String shown = String.join("; ", errors.subList(0, Math.min(errors.size(), MAX_REPORTED_ERRORS)));
        String more = errors.size() > MAX_REPORTED_ERRORS ? " (and " + (errors.size() - MAX_REPORTED_ERRORS) + " more)" : "";
        throw new InvalidEventException("does not match the " + name + " schema: " + shown + more);
    }

    private static final class EmailFormat implements Format {

        @Override
        public String getName() {
            return "email";
        }

        @Override
        public String getMessageKey() {
            return "format.email";
        }

        @Override
        public boolean matches(ExecutionContext executionContext, String value) {
            return EmailAddress.isValid(value);
        }
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
                throw new FileNotFoundException("no schema " + resource + " in the provider jar");
            }
            return in;
        };
    }
}
