package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.config.ReplicaConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumerSettingsTest {

    @Test
    void tlsAndSaslSettingsReachTheKafkaClientAsKafkaDocumentsThem() {
        ReplicaConfig config = ReplicaConfig.of(model(
                "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nssl.truststore.location=/etc/kafka/truststore.p12\nmax.poll.records=200",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"site\" password=\"s3cret\";"));

        Properties properties = ConsumerSettings.of(config, "client-1");

        assertThat(properties)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/truststore.p12")
                .containsEntry("max.poll.records", "200")
                .containsKey("sasl.jaas.config")
                .containsEntry(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka-1:9093")
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "site-berlin")
                .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "client-1");
    }

    @Test
    void theReplicaKeepsPositionsItselfAndReadsOnlyCommittedRecordsByDefault() {
        Properties properties = ConsumerSettings.of(ReplicaConfig.of(model("isolation.level=read_uncommitted", null)), "c");

        assertThat(properties)
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest")
                .containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        assertThat(ConsumerSettings.of(ReplicaConfig.of(model(null, null)), "c"))
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
    }

    @Test
    void whileTheBrokerIsAwayTheClientsTryAgainEveryTenSecondsAtMostUnlessTheComponentSaysOtherwise() {
        Properties defaults = ConsumerSettings.of(ReplicaConfig.of(model(null, null)), "c");

        assertThat(defaults)
                .containsEntry(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, "1000")
                .containsEntry(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "10000")
                .containsEntry(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "10000")
                .doesNotContainKey(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG);
        assertThat(ConsumerSettings.forSnapshots(ReplicaConfig.of(model(null, null)), "c"))
                .containsEntry(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "10000");
        // Within the bounds the component's own settings are held to, and read by Kafka as they are meant.
        for (String key : List.of(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG)) {
            assertThat(KafkaPropertyAllowlist.valueProblem(key, defaults.getProperty(key))).as(key).isNull();
        }
        Properties kafka = new Properties();
        kafka.putAll(defaults);
        kafka.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        kafka.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        ConsumerConfig read = new ConsumerConfig(kafka);
        assertThat(read.getLong(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG)).isEqualTo(10_000L);
        assertThat(read.getLong(ConsumerConfig.RETRY_BACKOFF_MS_CONFIG)).as("Kafka's own first retry").isEqualTo(100L);

        Properties own = ConsumerSettings.of(ReplicaConfig.of(model("reconnect.backoff.max.ms=60000\nretry.backoff.max.ms=500", null)), "c");
        assertThat(own)
                .containsEntry(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "60000")
                .containsEntry(ConsumerConfig.RECONNECT_BACKOFF_MS_CONFIG, "1000")
                .containsEntry(ConsumerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, "500");
    }

    @Test
    void aComponentSavedBeforeTheAllowlistPassesNoOtherKeyAndTheWarningNamesOnlyTheKey() {
        ReplicaConfig config = ReplicaConfig.of(model(
                "max.poll.records=200\ninterceptor.classes=com.example.Spy\nconfig.providers=file\nclient.id=mine",
                "ssl.keystore.password=s3cret\nsasl.login.callback.handler.class=com.example.Handler"));
        List<String> warnings = new ArrayList<>();

        Properties properties = ConsumerSettings.of(config, "keycloak-replica-acme-site", warnings::add);

        assertThat(properties)
                .containsEntry("max.poll.records", "200")
                .containsEntry("ssl.keystore.password", "s3cret")
                .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "keycloak-replica-acme-site")
                .doesNotContainKeys("interceptor.classes", "config.providers", "sasl.login.callback.handler.class");
        assertThat(warnings).hasSize(4)
                .allMatch(w -> w.startsWith("keycloak-replica-acme-site: Kafka setting '") && w.contains("left out"))
                .anyMatch(w -> w.contains("'interceptor.classes'"))
                .anyMatch(w -> w.contains("'sasl.login.callback.handler.class'"))
                .noneMatch(w -> w.contains("com.example") || w.contains("file") && !w.contains("config.providers"));
        assertThat(ConsumerSettings.forSnapshots(config, "c-snapshots")).doesNotContainKeys("interceptor.classes", "config.providers");
    }

    private static ComponentModel model(String properties, String secrets) {
        ComponentModel model = new ComponentModel();
        model.put(ReplicaConfig.BOOTSTRAP_SERVERS, "kafka-1:9093");
        model.put(ReplicaConfig.TOPIC_PREFIX, "acme");
        model.put(ReplicaConfig.CONSUMER_GROUP, "site-berlin");
        if (properties != null) {
            model.put(ReplicaConfig.KAFKA_PROPERTIES, properties);
        }
        if (secrets != null) {
            model.put(ReplicaConfig.KAFKA_SECRET_PROPERTIES, secrets);
        }
        return model;
    }
}
