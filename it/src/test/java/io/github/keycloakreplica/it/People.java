package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The people the integration tests publish and what they read back about them. Every test class shares
 * one replica site, so each person needs a name nobody else uses; and most tests need someone complete
 * rather than someone in particular.
 */
final class People {

    private People() {
    }

    /** A name no other test (nor another run against the same server) uses: the prefix says whose it is. */
    static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Everything an upstream may say about a person, as attributes for {@code Upstream.upsert}. */
    static Map<String, Object> person(String username) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("username", username);
        attributes.put("email", username + "@example.com");
        attributes.put("emailVerified", true);
        attributes.put("firstName", "Alice");
        attributes.put("lastName", "Example");
        attributes.put("enabled", true);
        attributes.put("realmRoles", List.of("project-lead"));
        attributes.put("groups", List.of("/site-a/ops"));
        attributes.put("department", List.of("engineering"));
        return attributes;
    }

    /**
     * One field of each element of an admin REST list (a person's role names, group paths, credential ids
     * or types), or each element itself when {@code field} is null.
     */
    static List<String> names(JsonNode array, String field) {
        List<String> names = new ArrayList<>();
        array.forEach(node -> names.add(field == null ? node.asText() : node.path(field).asText()));
        return names;
    }
}
