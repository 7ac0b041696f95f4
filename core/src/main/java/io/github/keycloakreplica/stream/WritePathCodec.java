package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the two bodies of the authoritative write path: the change request a replica sends
 * ({@code replica.credential.change-request}, schema-checked on reading) and the authority's answer,
 * {@code {"events": [...]}}, the credential events it published, each exactly as on the stream.
 * Like {@link StreamCodec}, errors name places, never values.
 */
public final class WritePathCodec {

    private final ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final StreamCodec events;
    private final EventSchemas schemas;

    public WritePathCodec(StreamCodec events, EventSchemas schemas) {
        this.events = events;
        this.schemas = schemas;
    }

    public WritePathCodec() {
        this(new EventSchemas());
    }

    private WritePathCodec(EventSchemas schemas) {
        this(new StreamCodec(schemas), schemas);
    }

    public byte[] encode(CredentialChangeRequest request) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", request.id());
        root.put("site", request.site());
        root.put("subject", request.subject());
        root.put("change", request.change().value());
        if (request.password() != null) {
            root.put("password", request.password());
        }
        CredentialChangeRequest.Draft draft = request.credential();
        if (draft != null) {
            ObjectNode credential = root.putObject("credential");
            putIfPresent(credential, "id", draft.id());
            credential.put("type", draft.type());
            if (draft.version() != null) {
                credential.put("version", draft.version());
            }
            if (draft.userLabel() != null || request.change() == CredentialChangeRequest.Change.RELABEL) {
                credential.put("userLabel", draft.userLabel());
            }
            putIfPresent(credential, "credentialData", draft.credentialData());
            putIfPresent(credential, "secretData", draft.secretData());
        }
        return write(root, "a credential change request");
    }

    /** For the authority's side (and tests): a request the schema accepts, or an error saying where it is wrong. */
    public CredentialChangeRequest decodeRequest(byte[] body) throws InvalidEventException {
        JsonNode root = parse(body, "the request");
        if (!root.isObject()) {
            throw new InvalidEventException("the request is JSON but not an object");
        }
        schemas.validateChangeRequest(root);
        JsonNode credential = root.get("credential");
        CredentialChangeRequest.Draft draft = credential == null ? null : new CredentialChangeRequest.Draft(
                text(credential, "id"), text(credential, "type"),
                credential.hasNonNull("version") ? StrictJson.exactLong(credential.get("version"), "$.credential.version", 1) : null,
                text(credential, "userLabel"), text(credential, "credentialData"), text(credential, "secretData"));
        try {
            return new CredentialChangeRequest(root.get("id").asText(), root.get("site").asText(), root.get("subject").asText(),
                    CredentialChangeRequest.Change.of(root.get("change").asText()), text(root, "password"), draft);
        } catch (RuntimeException e) {
            // The schema rules out what the record's constructor refuses; should they ever differ, the request is refused, not the server.
            throw new InvalidEventException("the request matches its schema but is not a valid request (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The authority's answer to a request it carried out: the events it published, in order. */
    public byte[] encodeConfirmation(List<? extends StreamEvent> published) {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode array = root.putArray("events");
        for (StreamEvent event : published) {
            try {
                array.add(mapper.readTree(events.encode(event)));
            } catch (IOException e) {
                throw new IllegalStateException("cannot re-read an encoded event", e);
            }
        }
        return write(root, "a confirmation");
    }

    /** Reads the authority's answer; every event must be one the stream contract accepts. */
    public List<StreamEvent> decodeConfirmation(byte[] body) throws InvalidEventException {
        JsonNode root = parse(body, "the answer");
        JsonNode array = root.get("events");
        if (!root.isObject() || array == null || !array.isArray()) {
            throw new InvalidEventException("the answer has no 'events' array");
        }
        List<StreamEvent> decoded = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            try {
                decoded.add(events.decode(mapper.writeValueAsBytes(array.get(i))));
            } catch (InvalidEventException e) {
                throw new InvalidEventException("event $.events[" + i + "] " + e.getMessage());
            } catch (JsonProcessingException e) {
                throw new InvalidEventException("event $.events[" + i + "] cannot be read");
            }
        }
        return decoded;
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static String text(JsonNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static JsonNode parse(byte[] body, String what) throws InvalidEventException {
        if (body == null || body.length == 0) {
            throw new InvalidEventException(what + " is empty");
        }
        return StrictJson.read(body, what);
    }

    private byte[] write(JsonNode node, String what) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + what, e);
        }
    }
}
