package io.github.keycloakreplica.kafka;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Kafka client's own log lines, which Keycloak writes like its own under the categories {@code org.apache.kafka…}.
 * At Keycloak's default level (INFO) a client writes its whole configuration whenever one is made, and while the
 * broker is away several lines per connection attempt ("Connection to node -1 … could not be established"): hundreds
 * a minute that bury the replica's own line that the link is cut, in the hour that line matters. The product must
 * behave without the operator's help, so unless the server sets a level for these categories (or for one above
 * them), the replica sets Kafka's to WARN and its network client's to ERROR, which keeps what an operator must act
 * on (a failed authentication or TLS handshake is an ERROR there) and leaves the link's state to the replica's own
 * lines. A level the operator set, for any of these categories, is left as it is.
 */
final class KafkaClientLogging {

    /** The category whose level an operator sets to take charge: {@code log-level=INFO,org.apache.kafka:INFO}. */
    static final String KAFKA = "org.apache.kafka";
    /** Where each reconnect attempt is warned about. */
    static final String NETWORK_CLIENT = "org.apache.kafka.clients.NetworkClient";

    /** The replica's levels, by category; JUL's WARNING and SEVERE are WARN and ERROR in Keycloak's logging. */
    static final Map<String, Level> QUIET = quiet();

    /** JUL holds loggers weakly, and a logger collected would take its level with it. */
    private static final List<Logger> HELD = new ArrayList<>();

    private KafkaClientLogging() {
    }

    private static Map<String, Level> quiet() {
        Map<String, Level> levels = new LinkedHashMap<>();
        levels.put(KAFKA, Level.WARNING);
        levels.put(NETWORK_CLIENT, Level.SEVERE);
        return levels;
    }

    /**
     * Sets the replica's levels, unless the server set a level for the Kafka client's categories or above them
     * (below the root).
     *
     * @return what was done, for the server log; empty when the operator's levels stand or this ran before
     */
    static synchronized Optional<String> quietUnlessConfigured() {
        if (!HELD.isEmpty()) {
            return Optional.empty();
        }
        for (String category : QUIET.keySet()) {
            for (String name = category; !name.isEmpty(); name = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : "") {
                if (Logger.getLogger(name).getLevel() != null) {
                    return Optional.empty();
                }
            }
        }
        QUIET.forEach((category, level) -> {
            Logger logger = Logger.getLogger(category);
            logger.setLevel(level);
            HELD.add(logger);
        });
        return Optional.of("replica: the Kafka client logs only its warnings here (" + KAFKA + ": WARN), and its connection "
                + "failures only as errors (" + NETWORK_CLIENT + ": ERROR), because the server sets no level for " + KAFKA
                + "; the replica says itself when the link to Kafka is cut or back. A level set for it (say log-level=INFO,"
                + KAFKA + ":INFO) is kept as it is");
    }

    /** Gives the categories back to the server's configuration: for tests. */
    static synchronized void release() {
        HELD.forEach(logger -> logger.setLevel(null));
        HELD.clear();
    }
}
