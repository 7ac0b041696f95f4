package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a dead letter keeps of a record, for people to read. Records of topics that may carry
 * secrets ({@link Topics#mayCarrySecrets}) are kept only when they can be redacted field by field against
 * an allowlist of fields known to be safe; anything else of them keeps only its size, its SHA-256 and
 * why it was withheld. Records of the identity topics carry no secrets by contract and keep their text,
 * made safe for a log line and a database (control characters escaped, secret-named fields replaced).
 */
public final class SecretRedaction {

    public static final String REDACTED = "<redacted>";
    static final int MAX_KEPT_CHARS = 64 * 1024;

    /** The envelope's fields: ids, names and times, never secrets; kept only as the short texts they are. */
    private static final Set<String> SAFE_ENVELOPE_FIELDS = Set.of("specversion", "id", "source", "type", "subject", "time", "datacontenttype");
    /** A credential's fields that say which credential it is, never what it holds; kept only in the type they have. */
    private static final Map<String, Predicate<JsonNode>> SAFE_CREDENTIAL_FIELDS = Map.of(
            "id", SecretRedaction::isShortText,
            "type", SecretRedaction::isShortText,
            "userLabel", node -> node.isNull() || isShortText(node),
            "version", JsonNode::isNumber,
            "createdDate", JsonNode::isNumber,
            "revoked", JsonNode::isBoolean);
    /** The schemas' bound for ids, names and labels: a longer text in such a field is something else. */
    private static final int MAX_SAFE_TEXT_CHARS = 255;
    /** Keycloak's stored credential: only its length is kept. */
    private static final Set<String> CREDENTIAL_CONTENT_FIELDS = Set.of("credentialData", "secretData");
    /**
     * Field names that look like secrets, compared in lower case without separators: replaced even in
     * identity records, in case a producer puts a credential where it does not belong.
     */
    private static final Set<String> SECRET_LIKE_NAMES = Set.of("secretdata", "secret", "credentialdata", "password", "hash", "salt", "seed");
    /** Text that suggests a credential record, wherever it turns up: then it is treated as one. */
    private static final String[] CREDENTIAL_MARKERS = {"secretdata", "secret_data", "credentialdata", "credential_data", "replica.credential"};

    private static final ObjectMapper WRITER = new ObjectMapper();

    private SecretRedaction() {
    }

    /**
     * What a dead letter keeps of a record.
     *
     * @param form how {@link #text} came about
     * @param text what to store and show: one line of at most {@value #MAX_KEPT_CHARS} characters (and a
     *             truncation mark), no control characters, no text a database cannot store
     */
    public record DeadLetterPayload(Form form, String text) {

        public enum Form {
            /** An identity record's text: its JSON with secret-named fields replaced, or its raw text escaped. */
            TEXT,
            /** A credential record redacted field by field: envelope and credential ids kept, credentialData and secretData as "<redacted> (N characters)". */
            REDACTED,
            /** Nothing of the record but {@code {"withheld": reason, "bytes": size, "sha256": hex}}. */
            WITHHELD
        }
    }

    /**
     * What a dead letter may keep of a record.
     *
     * @param payload         the record's value as received; null for a Kafka tombstone
     * @param mayCarrySecrets whether the record came from a topic that may carry secrets
     *                        ({@link Topics#mayCarrySecrets}: the credential delta and snapshot topics)
     * @return null for a null payload, else what to keep
     */
    public static DeadLetterPayload forDeadLetter(byte[] payload, boolean mayCarrySecrets) {
        if (payload == null) {
            return null;
        }
        if (mayCarrySecrets || looksLikeCredentialRecord(payload)) {
            return redactFieldByField(payload);
        }
        return identityText(payload);
    }

    /** {@link #forDeadLetter}'s text: what the dead-letter store keeps. Null for a null payload. */
    public static String redact(byte[] payload, boolean mayCarrySecrets) {
        DeadLetterPayload kept = forDeadLetter(payload, mayCarrySecrets);
        return kept == null ? null : kept.text();
    }

    private static DeadLetterPayload redactFieldByField(byte[] payload) {
        if (payload.length > StreamCodec.MAX_RECORD_BYTES) {
            return withheld(payload, "larger than a record may be");
        }
        JsonNode root;
        try {
            root = StrictJson.read(payload, "the record");
        } catch (InvalidEventException e) {
            return withheld(payload, "it " + e.getMessage());
        }
        if (!root.isObject()) {
            return withheld(payload, "it is JSON but not an object (perhaps an event encoded twice)");
        }
        ObjectNode kept = WRITER.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (SAFE_ENVELOPE_FIELDS.contains(name) && (isShortText(value) || value.isNull())) {
                kept.set(name, value);
            } else if ("data".equals(name) && value.isObject()) {
                String problem = redactData(value, kept.putObject("data"));
                if (problem != null) {
                    return withheld(payload, problem);
                }
            } else {
                return withheld(payload, "it has a field at $ that a dead letter may not keep");
            }
        }
        return new DeadLetterPayload(DeadLetterPayload.Form.REDACTED, truncate(RecordText.escapeRemainingInJson(kept.toString())));
    }

    /** Copies what is safe of {@code data} into {@code into}; the reason when something is not. */
    private static String redactData(JsonNode data, ObjectNode into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode value = field.getValue();
            if ("credential".equals(field.getKey()) && value.isObject()) {
                String problem = redactCredential(value, into.putObject("credential"), "$.data.credential");
                if (problem != null) {
                    return problem;
                }
            } else if ("credentials".equals(field.getKey()) && value.isArray()) {
                var array = into.putArray("credentials");
                for (int i = 0; i < value.size(); i++) {
                    String path = "$.data.credentials[" + i + "]";
                    if (!value.get(i).isObject()) {
                        return "it has something else than a credential at " + path;
                    }
                    String problem = redactCredential(value.get(i), array.addObject(), path);
                    if (problem != null) {
                        return problem;
                    }
                }
            } else {
                return "it has a field at $.data that a dead letter may not keep";
            }
        }
        return null;
    }

    private static String redactCredential(JsonNode credential, ObjectNode into, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = credential.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (SAFE_CREDENTIAL_FIELDS.containsKey(name) && SAFE_CREDENTIAL_FIELDS.get(name).test(value)) {
                into.set(name, value);
            } else if (CREDENTIAL_CONTENT_FIELDS.contains(name)) {
                into.put(name, value.isTextual() ? REDACTED + " (" + value.textValue().length() + " characters)" : REDACTED);
            } else {
                return "it has a field at " + path + " that a dead letter may not keep";
            }
        }
        return null;
    }

    private static boolean isShortText(JsonNode node) {
        return node.isTextual() && node.textValue().length() <= MAX_SAFE_TEXT_CHARS;
    }

    /** Nothing of the record but its size, its SHA-256 and why: for a record no reading of it may be kept. */
    public static DeadLetterPayload withheld(byte[] payload, String reason) {
        ObjectNode summary = WRITER.createObjectNode();
        summary.put("withheld", LogSafe.escape(reason, InvalidEventException.MAX_MESSAGE_CHARS));
        summary.put("bytes", payload.length);
        summary.put("sha256", sha256(payload));
        return new DeadLetterPayload(DeadLetterPayload.Form.WITHHELD, RecordText.escapeRemainingInJson(summary.toString()));
    }

    private static DeadLetterPayload identityText(byte[] payload) {
        JsonNode root = null;
        if (payload.length <= StreamCodec.MAX_RECORD_BYTES) {
            try {
                root = StrictJson.read(payload, "the record");
            } catch (InvalidEventException e) {
                // Not a well-formed record: its raw text shows best what is wrong with it.
            }
        }
        if (root == null) {
            // Bytes that are not UTF-8 show as U+FFFD; control characters are escaped so the text stays one line.
            int shown = Math.min(payload.length, MAX_KEPT_CHARS * 4);
            String printable = LogSafe.escapeWhole(new String(payload, 0, shown, StandardCharsets.UTF_8));
            return new DeadLetterPayload(DeadLetterPayload.Form.TEXT, shown < payload.length ? cut(printable) : truncate(printable));
        }
        scrub(root);
        return new DeadLetterPayload(DeadLetterPayload.Form.TEXT, truncate(RecordText.escapeRemainingInJson(root.toString())));
    }

    private static boolean looksLikeCredentialRecord(byte[] payload) {
        String text = new String(payload, 0, Math.min(payload.length, StreamCodec.MAX_RECORD_BYTES), StandardCharsets.UTF_8)
                .toLowerCase(Locale.ROOT);
        for (String marker : CREDENTIAL_MARKERS) {
            if (text.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    private static void scrub(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (SECRET_LIKE_NAMES.contains(field.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z]", ""))) {
                    field.setValue(object.textNode(REDACTED));
                } else {
                    scrub(field.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(SecretRedaction::scrub);
        }
    }

    private static String sha256(byte[] payload) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static String truncate(String text) {
        return text.length() <= MAX_KEPT_CHARS ? text : cut(text);
    }

    private static String cut(String text) {
        int end = Math.min(text.length(), MAX_KEPT_CHARS);
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…(truncated)";
    }
}
