package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Makes a record safe to keep for people to read (dead letters): every {@code secretData} field,
 * wherever it sits, is replaced. A record that is not JSON cannot be searched for secrets, so when it
 * came from a topic that carries them it is withheld whole.
 */
public final class SecretRedaction {

    public static final String REDACTED = "<redacted>";
    static final int MAX_KEPT_CHARS = 64 * 1024;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SecretRedaction() {
    }

    public static String redact(byte[] payload, boolean mayCarrySecrets) {
        if (payload == null) {
            return null;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(payload);
        } catch (Exception e) {
            root = null;
        }
        if (root == null) {
            return mayCarrySecrets
                    ? "<withheld: not JSON, and records of this topic carry credential secrets>"
                    : truncate(new String(payload, StandardCharsets.UTF_8));
        }
        scrub(root);
        return truncate(root.toString());
    }

    private static void scrub(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if ("secretData".equals(field.getKey())) {
                    field.setValue(object.textNode(REDACTED));
                } else {
                    scrub(field.getValue());
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(SecretRedaction::scrub);
        }
    }

    private static String truncate(String text) {
        return text.length() <= MAX_KEPT_CHARS ? text : text.substring(0, MAX_KEPT_CHARS) + "…(truncated)";
    }
}
