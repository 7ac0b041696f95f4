package io.github.keycloakreplica.stream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The Kafka brokers a setting names, as Kafka's {@code bootstrap.servers} takes them: host:port,
 * comma-separated. A replica component and a primary realm's publisher are both given theirs in a field
 * labelled "Bootstrap servers", and both check it here, so an operator reads the same words on either side.
 */
public final class BootstrapServers {

    private BootstrapServers() {
    }

    /**
     * What is wrong with the setting, each a sentence naming it as the console labels it; empty when it
     * names at least one host:port. A value is quoted escaped (it reaches the server log too).
     *
     * @param bootstrapServers the setting, trimmed; null when not given
     */
    public static List<String> problemsWith(String bootstrapServers) {
        List<String> problems = new ArrayList<>();
        if (bootstrapServers == null || bootstrapServers.isEmpty()) {
            problems.add("Bootstrap servers are required: host:port of one or more Kafka brokers, comma-separated.");
            return problems;
        }
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1 || !s.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                problems.add("Bootstrap server '" + LogSafe.escape(s, 200) + "' is not host:port.");
            }
        }
        return problems;
    }

    /** The brokers named, lower-cased and without blanks, to tell whether two settings reach the same brokers. */
    public static Set<String> brokers(String bootstrapServers) {
        return bootstrapServers == null ? Set.of() : Arrays.stream(bootstrapServers.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }
}
