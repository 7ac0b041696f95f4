package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes stream records: CloudEvents 1.0 in JSON structured mode. Decoding validates
 * against the published schema first, so every record this returns is one the contract accepts.
 * Error messages name the place in the record, never its values: a broken credential record must not
 * spill a hash into a log or a dead-letter reason.
 */
public final class StreamCodec {

    private static final int MAX_SHOWN_TYPE_LENGTH = 100;

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private final EventSchemas schemas;

    public StreamCodec() {
        this(new EventSchemas());
    }

    public StreamCodec(EventSchemas schemas) {
        this.schemas = schemas;
    }

    public StreamEvent decode(byte[] payload) throws InvalidEventException {
        if (payload == null || payload.length == 0) {
            throw new InvalidEventException("is empty: a delta topic carries events, not Kafka tombstones");
        }
        JsonNode root = parse(payload, "the record");
        if (!root.isObject()) {
            throw new InvalidEventException("is JSON but not an object: expected a CloudEvents envelope");
        }
        EventType type = typeOf(root);
        schemas.validate(type, root);

        Envelope envelope = envelope(root, type);
        JsonNode data = root.get("data");
        return switch (type) {
            case IDENTITY_UPSERTED -> new IdentityUpsert(envelope, attributes(data.get("attributes")));
            case IDENTITY_DELETED -> new IdentityDeletion(envelope, versions(data.get("attributes")));
            case CREDENTIAL_UPSERTED -> new CredentialUpsert(envelope, credential(data.get("credential")));
            case CREDENTIAL_REVOKED -> {
                JsonNode credential = data.get("credential");
                yield new CredentialRevocation(envelope, credential.get("id").asText(), credential.get("type").asText(),
                        credential.get("version").asLong());
            }
            case IDENTITY_SNAPSHOT -> new IdentitySnapshot(envelope, attributes(data.get("attributes")));
            case CREDENTIALS_SNAPSHOT -> credentialsSnapshot(envelope, data.get("credentials"));
            case HEARTBEAT -> throw new InvalidEventException("is a " + type + " record: heartbeats belong on the heartbeat topic");
        };
    }

    /** Reads a record of the heartbeat topic; anything but a schema-valid heartbeat is refused. */
    public Heartbeat decodeHeartbeat(byte[] payload) throws InvalidEventException {
        if (payload == null || payload.length == 0) {
            throw new InvalidEventException("is empty: the heartbeat topic carries heartbeats");
        }
        JsonNode root = parse(payload, "the record");
        if (!root.isObject()) {
            throw new InvalidEventException("is JSON but not an object: expected a CloudEvents envelope");
        }
        EventType type = typeOf(root);
        if (type != EventType.HEARTBEAT) {
            throw new InvalidEventException("is a " + type + " event on the heartbeat topic; it belongs on a delta or snapshot topic");
        }
        schemas.validate(type, root);
        Envelope envelope = envelope(root, type);
        JsonNode data = root.get("data");
        return new Heartbeat(envelope, java.time.Duration.ofMillis(data.get("intervalMillis").asLong()), readPositions(data.get("positions")));
    }

    public byte[] encode(Heartbeat heartbeat) {
        ObjectNode root = envelopeNode(heartbeat.envelope(), EventType.HEARTBEAT);
        ObjectNode data = root.putObject("data");
        data.put("intervalMillis", heartbeat.interval().toMillis());
        data.set("positions", writePositions(heartbeat.positions()));
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a heartbeat", e);
        }
    }

    public byte[] encode(StreamEvent event) {
        Envelope envelope = event.envelope();
        ObjectNode root = envelopeNode(envelope, envelope.type());
        ObjectNode data = root.putObject("data");
        if (event instanceof IdentityUpsert upsert) {
            ObjectNode attributes = data.putObject("attributes");
            upsert.attributes().forEach((name, value) -> {
                ObjectNode node = attributes.putObject(name);
                node.set("value", value.value());
                node.put("version", value.version());
            });
        } else if (event instanceof IdentityDeletion deletion) {
            ObjectNode attributes = data.putObject("attributes");
            deletion.versions().forEach((name, version) -> attributes.putObject(name).put("version", version));
        } else if (event instanceof CredentialUpsert upsert) {
            write(data.putObject("credential"), upsert.credential());
        } else if (event instanceof IdentitySnapshot snapshot) {
            ObjectNode attributes = data.putObject("attributes");
            snapshot.attributes().forEach((name, value) -> {
                ObjectNode node = attributes.putObject(name);
                node.set("value", value.value());
                node.put("version", value.version());
            });
        } else if (event instanceof CredentialsSnapshot snapshot) {
            com.fasterxml.jackson.databind.node.ArrayNode credentials = data.putArray("credentials");
            snapshot.credentials().forEach(credential -> write(credentials.addObject(), credential));
            snapshot.revoked().forEach((id, version) -> credentials.addObject()
                    .put("id", id).put("version", version).put("revoked", true));
        } else if (event instanceof CredentialRevocation revocation) {
            ObjectNode node = data.putObject("credential");
            node.put("id", revocation.credentialId());
            node.put("type", revocation.credentialType());
            node.put("version", revocation.version());
        }
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a " + envelope.type() + " event", e);
        }
    }

    private static Envelope envelope(JsonNode root, EventType type) {
        return new Envelope(root.get("id").asText(), root.get("source").asText(), type,
                root.get("subject").asText(), root.hasNonNull("time") ? root.get("time").asText() : null);
    }

    private ObjectNode envelopeNode(Envelope envelope, EventType type) {
        ObjectNode root = mapper.createObjectNode();
        root.put("specversion", Envelope.SPEC_VERSION);
        root.put("id", envelope.id());
        root.put("source", envelope.source());
        root.put("type", type.value());
        root.put("subject", envelope.subject());
        if (envelope.time() != null) {
            root.put("time", envelope.time());
        }
        root.put("datacontenttype", "application/json");
        return root;
    }

    /** Delta positions as a heartbeat carries them: topic, then partition number, then offset. */
    public static ObjectNode writePositions(Map<String, Map<Integer, Long>> positions) {
        ObjectNode root = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        positions.forEach((topic, partitions) -> {
            ObjectNode node = root.putObject(topic);
            partitions.forEach((partition, offset) -> node.put(String.valueOf(partition), offset));
        });
        return root;
    }

    /** The reverse of {@link #writePositions}; partition numbers that are not numbers throw NumberFormatException. */
    public static Map<String, Map<Integer, Long>> readPositions(JsonNode root) {
        Map<String, Map<Integer, Long>> positions = new LinkedHashMap<>();
        root.properties().forEach(topic -> {
            Map<Integer, Long> partitions = new LinkedHashMap<>();
            topic.getValue().properties().forEach(p -> partitions.put(Integer.parseInt(p.getKey()), p.getValue().asLong()));
            positions.put(topic.getKey(), partitions);
        });
        return positions;
    }

    private static void write(ObjectNode node, ReplicatedCredential credential) {
        node.put("id", credential.id());
        node.put("type", credential.type());
        node.put("version", credential.version());
        node.put("credentialData", credential.credentialData());
        node.put("secretData", credential.secretData());
        if (credential.createdDate() != null) {
            node.put("createdDate", credential.createdDate());
        }
        if (credential.userLabel() != null) {
            node.put("userLabel", credential.userLabel());
        }
    }

    private CredentialsSnapshot credentialsSnapshot(Envelope envelope, JsonNode items) throws InvalidEventException {
        java.util.List<ReplicatedCredential> present = new java.util.ArrayList<>();
        Map<String, Long> revoked = new LinkedHashMap<>();
        for (JsonNode item : items) {
            if (item.path("revoked").asBoolean(false)) {
                revoked.put(item.get("id").asText(), item.get("version").asLong());
            } else {
                present.add(credential(item));
            }
        }
        return new CredentialsSnapshot(envelope, present, revoked);
    }

    private JsonNode parse(byte[] payload, String what) throws InvalidEventException {
        try {
            return mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            // Jackson's own message can quote the offending token; only its position is safe to keep.
            JsonLocation at = e.getLocation();
            String position = at == null ? "" : " (syntax error at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            throw new InvalidEventException(what + " is not valid JSON" + position);
        } catch (IOException e) {
            throw new InvalidEventException(what + " cannot be read as JSON");
        }
    }

    private static EventType typeOf(JsonNode root) throws InvalidEventException {
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new InvalidEventException("has no string 'type': expected one of " + java.util.Arrays.toString(EventType.values()));
        }
        String value = type.asText();
        return EventType.of(value).orElseThrow(() -> new InvalidEventException("has unknown type '"
                + (value.length() > MAX_SHOWN_TYPE_LENGTH ? value.substring(0, MAX_SHOWN_TYPE_LENGTH) + "…" : value)
                + "': this replica understands " + java.util.Arrays.toString(EventType.values())));
    }

    private static Map<String, VersionedValue> attributes(JsonNode node) {
        Map<String, VersionedValue> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            attributes.put(field.getKey(), new VersionedValue(field.getValue().get("value"), field.getValue().get("version").asLong()));
        }
        return attributes;
    }

    private static Map<String, Long> versions(JsonNode node) {
        Map<String, Long> versions = new LinkedHashMap<>();
        node.fields().forEachRemaining(field -> versions.put(field.getKey(), field.getValue().get("version").asLong()));
        return versions;
    }

    private ReplicatedCredential credential(JsonNode node) throws InvalidEventException {
        String credentialData = node.get("credentialData").asText();
        String secretData = node.get("secretData").asText();
        requireJsonObject(credentialData, "$.data.credential.credentialData");
        requireJsonObject(secretData, "$.data.credential.secretData");
        return new ReplicatedCredential(node.get("id").asText(), node.get("type").asText(), node.get("version").asLong(),
                credentialData, secretData,
                node.hasNonNull("createdDate") ? node.get("createdDate").asLong() : null,
                node.hasNonNull("userLabel") ? node.get("userLabel").asText() : null);
    }

    private void requireJsonObject(String text, String path) throws InvalidEventException {
        if (!parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), path).isObject()) {
            throw new InvalidEventException(path + " is JSON but not an object, as Keycloak's stored credential format needs");
        }
    }
}
