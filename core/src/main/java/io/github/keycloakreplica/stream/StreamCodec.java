package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes stream records: CloudEvents 1.0 in JSON structured mode. Decoding validates
 * against the published schema first, so every record this returns is one the contract accepts.
 * Decoding is strict ({@link StrictJson}): a record is at most {@link #MAX_RECORD_BYTES} of valid UTF-8
 * holding exactly one JSON object, with no text a database cannot store; versions are exact integers
 * from 1 to 2^63-1. Whatever is wrong with a record, decoding throws {@link InvalidEventException} and
 * nothing else. Error messages name the place in the record, never its values: a broken credential
 * record must not spill a hash into a log or a dead-letter reason.
 */
public final class StreamCodec {

    /**
     * The largest record decoded: Kafka's default {@code message.max.bytes} (1 MiB and 12 bytes of
     * overhead), so an authority that keeps its broker's default never produces a larger one. Checked
     * before parsing, so a huge record costs no more than reading its size.
     */
    public static final int MAX_RECORD_BYTES = 1024 * 1024;
    /** The largest version: versions are positive longs everywhere they are stored. */
    public static final long MAX_VERSION = Long.MAX_VALUE;
    /** A record key is the subject, which the schema bounds to 255 characters (REPLICA_DEAD_LETTER.RECORD_KEY too). */
    public static final int MAX_KEY_CHARS = 255;

    private static final int MAX_SHOWN_TYPE_LENGTH = 100;

    private final ObjectMapper mapper = new ObjectMapper();
    private final EventSchemas schemas;

    public StreamCodec() {
        this(new EventSchemas());
    }

    public StreamCodec(EventSchemas schemas) {
        this.schemas = schemas;
    }

    /**
     * Checks a Kafka record key as the consumer receives it (bytes): null is allowed (the subject in the
     * record then counts), anything else must be valid UTF-8 of 1 to 255 characters without control
     * characters or text a database cannot store, since it is logged and kept with a dead letter.
     *
     * @throws InvalidEventException with a message to follow "Record ", naming what is wrong, never quoting the key
     */
    public static void checkRecordKey(byte[] key) throws InvalidEventException {
        if (key == null) {
            return;
        }
        if (key.length == 0) {
            throw new InvalidEventException("has an empty key, but the key must be the record's subject");
        }
        if (key.length > MAX_KEY_CHARS * 4) {
            throw new InvalidEventException("has a key of " + key.length + " bytes, longer than any subject (at most " + MAX_KEY_CHARS + " characters)");
        }
        String text = RecordText.utf8(key, "has a key that");
        if (text.length() > MAX_KEY_CHARS) {
            throw new InvalidEventException("has a key of " + text.length() + " characters, longer than any subject (at most " + MAX_KEY_CHARS + ")");
        }
        String problem = RecordText.problemWith(text);
        if (problem != null) {
            throw new InvalidEventException("has a key that holds " + problem);
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                throw new InvalidEventException("has a key that holds a control character (U+" + String.format("%04X", (int) c)
                        + " at index " + i + "), which no subject may hold");
            }
        }
    }

    public StreamEvent decode(byte[] payload) throws InvalidEventException {
        JsonNode root = envelopeOf(payload, "a delta topic carries events, not Kafka tombstones");
        EventType type = typeOf(root);
        schemas.validate(type, root);
        try {
            return map(type, root);
        } catch (RuntimeException e) {
            throw internalError(type, e);
        }
    }

    private StreamEvent map(EventType type, JsonNode root) throws InvalidEventException {
        Envelope envelope = envelope(root, type);
        JsonNode data = root.get("data");
        return switch (type) {
            case IDENTITY_UPSERTED -> new IdentityUpsert(envelope, attributes(data.get("attributes")));
            case IDENTITY_DELETED -> new IdentityDeletion(envelope, versions(data.get("attributes")));
            case CREDENTIAL_UPSERTED -> new CredentialUpsert(envelope, credential(data.get("credential"), "$.data.credential"));
            case CREDENTIAL_REVOKED -> {
                JsonNode credential = data.get("credential");
                yield new CredentialRevocation(envelope, credential.get("id").asText(), credential.get("type").asText(),
                        version(credential.get("version"), "$.data.credential.version"));
            }
            case IDENTITY_SNAPSHOT -> new IdentitySnapshot(envelope, attributes(data.get("attributes")));
            case CREDENTIALS_SNAPSHOT -> credentialsSnapshot(envelope, data.get("credentials"));
            case HEARTBEAT -> throw new InvalidEventException("is a " + type + " record: heartbeats belong on the heartbeat topic");
        };
    }

    /** Reads a record of the heartbeat topic; anything but a schema-valid heartbeat is refused. */
    public Heartbeat decodeHeartbeat(byte[] payload) throws InvalidEventException {
        JsonNode root = envelopeOf(payload, "the heartbeat topic carries heartbeats");
        EventType type = typeOf(root);
        if (type != EventType.HEARTBEAT) {
            throw new InvalidEventException("is a " + type + " event on the heartbeat topic; it belongs on a delta or snapshot topic");
        }
        schemas.validate(type, root);
        try {
            Envelope envelope = envelope(root, type);
            JsonNode data = root.get("data");
            long interval = StrictJson.exactLong(data.get("intervalMillis"), "$.data.intervalMillis", 1);
            return new Heartbeat(envelope, Duration.ofMillis(interval), positions(data.get("positions")));
        } catch (RuntimeException e) {
            throw internalError(type, e);
        }
    }

    /** Size, UTF-8, one JSON object, storable text: what every record must be before its schema is asked. */
    private static JsonNode envelopeOf(byte[] payload, String whatBelongsHere) throws InvalidEventException {
        if (payload == null || payload.length == 0) {
            throw new InvalidEventException("is empty: " + whatBelongsHere);
        }
        if (payload.length > MAX_RECORD_BYTES) {
            throw new InvalidEventException("is " + payload.length + " bytes, more than the " + MAX_RECORD_BYTES
                    + " bytes a record may have (Kafka's default message size)");
        }
        JsonNode root = StrictJson.read(payload, "the record");
        if (!root.isObject()) {
            throw new InvalidEventException("is JSON but not an object: expected a CloudEvents envelope");
        }
        return root;
    }

    private static InvalidEventException internalError(EventType type, RuntimeException e) {
        // A record the schema accepted and the mapping below could not take is a defect of this replica;
        // it still must not stop the stream, so it becomes the record's reason like any other.
        return new InvalidEventException("matches the " + type + " schema but could not be decoded (internal error: "
                + e.getClass().getSimpleName() + "); this is a defect of the replica, please report it");
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
            ArrayNode credentials = data.putArray("credentials");
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
        ObjectNode root = JsonNodeFactory.instance.objectNode();
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
        List<ReplicatedCredential> present = new ArrayList<>();
        Map<String, Long> revoked = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String path = "$.data.credentials[" + i + "]";
            if (item.path("revoked").asBoolean(false)) {
                revoked.put(item.get("id").asText(), version(item.get("version"), path + ".version"));
            } else {
                present.add(credential(item, path));
            }
        }
        return new CredentialsSnapshot(envelope, present, revoked);
    }

    private static EventType typeOf(JsonNode root) throws InvalidEventException {
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new InvalidEventException("has no string 'type': expected one of " + Arrays.toString(EventType.values()));
        }
        String value = type.asText();
        return EventType.of(value).orElseThrow(() -> new InvalidEventException("has unknown type '"
                + LogSafe.escape(value, MAX_SHOWN_TYPE_LENGTH) + "': this replica understands " + Arrays.toString(EventType.values())));
    }

    private static Map<String, VersionedValue> attributes(JsonNode node) throws InvalidEventException {
        Map<String, VersionedValue> attributes = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String path = StrictJson.child("$.data.attributes", field.getKey());
            attributes.put(field.getKey(), new VersionedValue(field.getValue().get("value"), version(field.getValue().get("version"), path + ".version")));
        }
        return attributes;
    }

    private static Map<String, Long> versions(JsonNode node) throws InvalidEventException {
        Map<String, Long> versions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            versions.put(field.getKey(), version(field.getValue().get("version"), StrictJson.child("$.data.attributes", field.getKey()) + ".version"));
        }
        return versions;
    }

    private static Map<String, Map<Integer, Long>> positions(JsonNode root) throws InvalidEventException {
        Map<String, Map<Integer, Long>> positions = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> topics = root.fields(); topics.hasNext(); ) {
            Map.Entry<String, JsonNode> topic = topics.next();
            String topicPath = StrictJson.child("$.data.positions", topic.getKey());
            Map<Integer, Long> partitions = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = topic.getValue().fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> partition = it.next();
                // The schema allows partition numbers of at most nine digits, so they fit an int.
                partitions.put(Integer.parseInt(partition.getKey()), StrictJson.exactLong(partition.getValue(), StrictJson.child(topicPath, partition.getKey()), 0));
            }
            positions.put(topic.getKey(), partitions);
        }
        return positions;
    }

    /** A version exactly as written: an integer from 1 to {@link #MAX_VERSION}, never rounded or wrapped. */
    private static long version(JsonNode node, String path) throws InvalidEventException {
        return StrictJson.exactLong(node, path, 1);
    }

    private ReplicatedCredential credential(JsonNode node, String path) throws InvalidEventException {
        String credentialData = node.get("credentialData").asText();
        String secretData = node.get("secretData").asText();
        requireJsonObject(credentialData, path + ".credentialData");
        requireJsonObject(secretData, path + ".secretData");
        return new ReplicatedCredential(node.get("id").asText(), node.get("type").asText(), version(node.get("version"), path + ".version"),
                credentialData, secretData,
                node.hasNonNull("createdDate") ? StrictJson.exactLong(node.get("createdDate"), path + ".createdDate", 0) : null,
                node.hasNonNull("userLabel") ? node.get("userLabel").asText() : null);
    }

    private static void requireJsonObject(String text, String path) throws InvalidEventException {
        if (!StrictJson.read(text, path).isObject()) {
            throw new InvalidEventException(path + " is JSON but not an object, as Keycloak's stored credential format needs");
        }
    }
}
