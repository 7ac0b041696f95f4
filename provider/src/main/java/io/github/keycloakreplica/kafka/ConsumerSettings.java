package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.stream.LogSafe;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

/** The Kafka consumer configuration of one replica component: the operator's settings, then ours on top. */
public final class ConsumerSettings {

    private static final Logger log = Logger.getLogger(ConsumerSettings.class);

    /**
     * Reconnecting to a broker that is away: Kafka's first wait after a failed attempt, and the longest its
     * doubling reaches (Kafka's own are 50 ms and 1 s, an attempt a second per broker and client while a link is
     * cut). The longest wait is also how late a client may notice that the broker is back: 10 s (and Kafka's
     * 20 per cent jitter) is a third of the default stabilization window, which a returning link waits anyway.
     */
    static final long RECONNECT_BACKOFF_MS = 1_000;
    static final long RECONNECT_BACKOFF_MAX_MS = 10_000;
    /**
     * The longest wait between retries of a failed request, such as the metadata and coordinator look-ups that
     * fail while the broker is away (Kafka's is 1 s). The first retry stays at Kafka's 100 ms: in a measured run
     * with a first wait of 1 s, a client looked up its bootstrap servers again in a busy loop for over a second
     * when the broker came back (760 lines at INFO), which the runs with 100 ms did not show.
     */
    static final long RETRY_BACKOFF_MAX_MS = 10_000;

    private ConsumerSettings() {
    }

    /** Everything wrong with a component's settings, its Kafka client properties included; empty when it may start. */
    public static List<String> problems(ReplicaConfig config) {
        List<String> problems = new ArrayList<>(config.problems());
        problems.addAll(KafkaPropertyAllowlist.problems(config));
        return problems;
    }

    public static Properties of(ReplicaConfig config, String clientId) {
        return of(config, clientId, log::warn);
    }

    /** @param warn where a key left out is told, by name only: its value may be a secret */
    static Properties of(ReplicaConfig config, String clientId, Consumer<String> warn) {
        Properties properties = new Properties();
        // Defaults: the isolation level and the timing below may be changed in the component's properties
        // (as TLS, SASL, batch and fetch sizes come from there); topic creation and the client id are ours.
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // A node that crashed holds its partitions until its session times out; Kafka's 45 s would keep a
        // restarted node (or the site's other nodes) from applying for that long. Heartbeats come from the
        // client's own thread, so a slow batch does not count against this.
        properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(KafkaPropertyAllowlist.DEFAULT_SESSION_TIMEOUT_MS));
        properties.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, String.valueOf(KafkaPropertyAllowlist.DEFAULT_HEARTBEAT_INTERVAL_MS));
        // A cut link is the situation the replica exists for: its clients retry calmly, and say little (KafkaClientLogging).
        properties.put(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, String.valueOf(RECONNECT_BACKOFF_MS));
        properties.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(RECONNECT_BACKOFF_MAX_MS));
        properties.put(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, String.valueOf(RETRY_BACKOFF_MAX_MS));
        // Validation refuses every other key; a component saved before the allowlist existed may still hold one.
        properties.putAll(KafkaPropertyAllowlist.accepted(config.clientProperties(), key -> warn.accept(LogSafe.escape(clientId)
                + ": Kafka setting '" + LogSafe.escape(key, 100) + "' of the replica component is not among the settings a replica "
                + "accepts and is left out; remove it from the component")));
        // Ours: positions live in Keycloak's database, committed with the state they produced; Kafka's
        // committed offsets are only a copy for monitoring tools.
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, config.consumerGroup());
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return properties;
    }

    /** For reading the snapshot topics by assigned partitions: the same connection settings, no group. */
    public static Properties forSnapshots(ReplicaConfig config, String clientId) {
        Properties properties = of(config, clientId);
        properties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        properties.remove(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
        properties.remove(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG);
        return properties;
    }
}
