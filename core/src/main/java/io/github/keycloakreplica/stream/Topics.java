package io.github.keycloakreplica.stream;

import java.util.List;
import java.util.regex.Pattern;

/** The Kafka topics of one replicated realm, all named from one prefix P. */
public record Topics(String prefix) {

    /** Kafka's own rule for topic names, leaving room for the longest suffix. */
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,220}");

    public Topics {
        String problem = problemWith(prefix);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why this prefix cannot name Kafka topics, or null when it can. */
    public static String problemWith(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            return "the topic prefix is empty";
        }
        if (!LEGAL.matcher(prefix).matches()) {
            return "the topic prefix '" + prefix + "' may only hold letters, digits, '.', '_' and '-' (at most 220)";
        }
        return null;
    }

    public String identity() {
        return prefix + ".identity";
    }

    public String credentials() {
        return prefix + ".credentials";
    }

    public String identitySnapshot() {
        return prefix + ".identity.snapshot";
    }

    public String credentialsSnapshot() {
        return prefix + ".credentials.snapshot";
    }

    public String heartbeat() {
        return prefix + ".heartbeat";
    }

    /**
     * Whether records of this topic may carry credential secrets (hashes, seeds): the credential delta and
     * snapshot topics. What a dead letter keeps of their records is redacted field by field, or withheld.
     */
    public boolean mayCarrySecrets(String topic) {
        return credentials().equals(topic) || credentialsSnapshot().equals(topic);
    }

    /** The delta topics the incremental consumer follows. */
    public List<String> deltas() {
        return List.of(identity(), credentials());
    }
}
