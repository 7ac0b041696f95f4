package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.replica.ReplicaConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.Properties;

/** The Kafka consumer configuration of one replica component: the operator's settings, then ours on top. */
public final class ConsumerSettings {

    private ConsumerSettings() {
    }

    public static Properties of(ReplicaConfig config, String clientId) {
        Properties properties = new Properties();
        // Defaults an operator may change (TLS, SASL, batch size, fetch sizes all come from their block).
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        // A node that crashed holds its partitions until its session times out; Kafka's 45 s would keep a
        // restarted node (or the site's other nodes) from applying for that long. Heartbeats come from the
        // client's own thread, so a slow batch does not count against this.
        properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        properties.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        properties.putAll(config.clientProperties());
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
