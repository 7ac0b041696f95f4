package io.github.keycloakreplica.publisher;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherConfigTest {

    private static Map<String, String> required() {
        Map<String, String> settings = new HashMap<>();
        settings.put(PublisherConfig.BOOTSTRAP_SERVERS, " kafka-1:9092,kafka-2:9093 ");
        settings.put(PublisherConfig.TOPIC_PREFIX, " acme ");
        return settings;
    }

    private static PublisherConfig with(String name, String value) {
        Map<String, String> settings = required();
        settings.put(name, value);
        return PublisherConfig.of(settings, "acme");
    }

    @Test
    void theRequiredSettingsAloneGiveAWorkingPublisherWithTheDefaults() {
        PublisherConfig config = PublisherConfig.of(required(), "acme");

        assertThat(config.problems()).isEmpty();
        assertThat(config.enabled()).isTrue();
        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9093");
        assertThat(config.topics().identity()).isEqualTo("acme.identity");
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofSeconds(300));
        assertThat(config.topicPartitions()).isEqualTo(3);
        assertThat(config.source()).isEqualTo("keycloak://primary/realms/acme");
        assertThat(config.kafkaProperties()).isEmpty();
        assertThat(config.kafkaSecretProperties()).isEmpty();
    }

    @Test
    void aComponentModelIsReadByTheSameNames() {
        ComponentModel model = new ComponentModel();
        model.put(PublisherConfig.ENABLED, "false");
        model.put(PublisherConfig.BOOTSTRAP_SERVERS, "kafka-1:9092");
        model.put(PublisherConfig.TOPIC_PREFIX, "hq");
        model.put(PublisherConfig.KAFKA_PROPERTIES, "linger.ms=20");
        model.put(PublisherConfig.KAFKA_SECRET_PROPERTIES, "ssl.key.password=s3cret");
        model.put(PublisherConfig.HEARTBEAT_INTERVAL, "2");
        model.put(PublisherConfig.RECONCILE_INTERVAL, "600");
        model.put(PublisherConfig.TOPIC_PARTITIONS, "12");
        model.put(PublisherConfig.SOURCE, "urn:example:hq");

        PublisherConfig config = PublisherConfig.of(model, "acme");

        assertThat(config.problems()).isEmpty();
        assertThat(config.enabled()).isFalse();
        assertThat(config.topicPrefix()).isEqualTo("hq");
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.reconcileInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.topicPartitions()).isEqualTo(12);
        assertThat(config.source()).isEqualTo("urn:example:hq");
        assertThat(config.clientProperties()).containsEntry("linger.ms", "20").containsEntry("ssl.key.password", "s3cret");
    }

    @Test
    void missingRequiredSettingsAreNamedByTheirLabels() {
        assertThat(PublisherConfig.of(Map.of(), "acme").problems())
                .containsExactly("Bootstrap servers are required: host:port of one or more Kafka brokers, comma-separated.",
                        "Topic prefix: the topic prefix is empty.");
        assertThat(with(PublisherConfig.BOOTSTRAP_SERVERS, "kafka-1").problems()).containsExactly("Bootstrap server 'kafka-1' is not host:port.");
        assertThat(with(PublisherConfig.TOPIC_PREFIX, "acme/realms").problems()).singleElement().asString()
                .startsWith("Topic prefix: the topic prefix 'acme/realms' may only hold letters, digits");
    }

    @Test
    void numbersOutsideTheirRangeOrNotNumbersAreNamedWithTheRange() {
        assertThat(with(PublisherConfig.HEARTBEAT_INTERVAL, "0").problems())
                .containsExactly("Heartbeat interval (seconds) must be a whole number from 1 to 300, was '0'.");
        assertThat(with(PublisherConfig.HEARTBEAT_INTERVAL, "301").problems()).hasSize(1);
        assertThat(with(PublisherConfig.HEARTBEAT_INTERVAL, "300").problems()).isEmpty();
        assertThat(with(PublisherConfig.HEARTBEAT_INTERVAL, "1").problems()).isEmpty();
        assertThat(with(PublisherConfig.RECONCILE_INTERVAL, "9").problems())
                .containsExactly("Reconcile interval (seconds) must be a whole number from 10 to 86,400, was '9'.");
        assertThat(with(PublisherConfig.RECONCILE_INTERVAL, "86401").problems()).hasSize(1);
        assertThat(with(PublisherConfig.RECONCILE_INTERVAL, "86400").problems()).isEmpty();
        assertThat(with(PublisherConfig.RECONCILE_INTERVAL, "10").problems()).isEmpty();
        assertThat(with(PublisherConfig.TOPIC_PARTITIONS, "0").problems())
                .containsExactly("Topic partitions must be a whole number from 1 to 1,000, was '0'.");
        assertThat(with(PublisherConfig.TOPIC_PARTITIONS, "1001").problems()).hasSize(1);
        assertThat(with(PublisherConfig.TOPIC_PARTITIONS, "1000").problems()).isEmpty();
        assertThat(with(PublisherConfig.TOPIC_PARTITIONS, "three").problems())
                .containsExactly("Topic partitions must be a whole number from 1 to 1,000, was 'three'.");
        assertThat(with(PublisherConfig.HEARTBEAT_INTERVAL, "99999999999999999999").problems()).hasSize(1);
        assertThat(with(PublisherConfig.HEARTBEAT_INTERVAL, "2.5").problems()).hasSize(1);
    }

    @Test
    void anEmptiedFieldTakesItsDefault() {
        PublisherConfig config = PublisherConfig.of(Map.of(PublisherConfig.BOOTSTRAP_SERVERS, "k:1", PublisherConfig.TOPIC_PREFIX, "p",
                PublisherConfig.HEARTBEAT_INTERVAL, " ", PublisherConfig.RECONCILE_INTERVAL, "", PublisherConfig.TOPIC_PARTITIONS, "",
                PublisherConfig.SOURCE, "  ", PublisherConfig.ENABLED, ""), "north");

        assertThat(config.problems()).isEmpty();
        assertThat(config.enabled()).isTrue();
        assertThat(config.heartbeatInterval()).isEqualTo(PublisherConfig.DEFAULT_HEARTBEAT_INTERVAL);
        assertThat(config.reconcileInterval()).isEqualTo(PublisherConfig.DEFAULT_RECONCILE_INTERVAL);
        assertThat(config.topicPartitions()).isEqualTo(PublisherConfig.DEFAULT_TOPIC_PARTITIONS);
        assertThat(config.source()).isEqualTo("keycloak://primary/realms/north");
    }

    @Test
    void enabledIsOnOrOff() {
        assertThat(with(PublisherConfig.ENABLED, "FALSE").enabled()).isFalse();
        assertThat(with(PublisherConfig.ENABLED, "true").enabled()).isTrue();
        assertThat(with(PublisherConfig.ENABLED, "maybe").problems())
                .containsExactly("Enabled must be on or off (true or false), was 'maybe'.");
    }

    @Test
    void onlyAnExplicitOffStopsRecording() {
        assertThat(PublisherConfig.isOn(null)).isTrue();
        assertThat(PublisherConfig.isOn("true")).isTrue();
        assertThat(PublisherConfig.isOn("maybe")).as("refused by validation, but no change is lost meanwhile").isTrue();
        assertThat(PublisherConfig.isOn(" False ")).isFalse();
    }

    @Test
    void theDefaultSourceWritesTheRealmNameAsAPathSegment() {
        assertThat(PublisherConfig.defaultSource("acme")).isEqualTo("keycloak://primary/realms/acme");
        assertThat(PublisherConfig.defaultSource("north wing")).isEqualTo("keycloak://primary/realms/north%20wing");
        assertThat(PublisherConfig.defaultSource("müller/ä")).isEqualTo("keycloak://primary/realms/m%C3%BCller%2F%C3%A4");
        assertThat(PublisherConfig.of(required(), "north wing").problems()).isEmpty();
    }

    @Test
    void theSourceAloneReadsAsTheWholeSettingsDo() {
        ComponentModel model = new ComponentModel();
        model.put(PublisherConfig.SOURCE, "  https://hq.example/realms/acme ");
        assertThat(PublisherConfig.sourceOf(model, "acme")).isEqualTo(PublisherConfig.of(model, "acme").source())
                .isEqualTo("https://hq.example/realms/acme");
        ComponentModel unset = new ComponentModel();
        assertThat(PublisherConfig.sourceOf(unset, "north wing")).isEqualTo(PublisherConfig.of(unset, "north wing").source())
                .isEqualTo("keycloak://primary/realms/north%20wing");
    }

    @Test
    void aSourceMustBeAUriReferenceTheReplicasCanStore() {
        assertThat(with(PublisherConfig.SOURCE, "https://hq.example/realms/acme").problems()).isEmpty();
        assertThat(with(PublisherConfig.SOURCE, "/relative/ref").problems()).isEmpty();
        assertThat(with(PublisherConfig.SOURCE, "keycloak://primary/realms/a b").problems()).singleElement().asString()
                .startsWith("Source must be a URI reference such as keycloak://primary/realms/acme: 'keycloak://primary/realms/a b' is not one");
        assertThat(with(PublisherConfig.SOURCE, "urn:" + "x".repeat(300)).problems())
                .containsExactly("Source must be at most 255 characters (the replicas' SOURCE columns), was 304.");
        assertThat(PublisherConfig.of(required(), "r".repeat(250)).problems()).singleElement().asString()
                .contains("at most 255").endsWith("with a realm name this long, set a shorter one.");
        assertThat(with(PublisherConfig.SOURCE, "urn:a\u2028b").problems())
                .containsExactly("Source must not hold control characters or line breaks.");
    }

    @Test
    void kafkaPropertiesThatCannotBeReadAreNamedWithoutBeingQuoted() {
        assertThat(with(PublisherConfig.KAFKA_SECRET_PROPERTIES, "ssl.key.password=s3cret\\u12").problems()).singleElement().asString()
                .startsWith("Kafka secret properties are not in Java properties format")
                .doesNotContain("s3cret");
        assertThat(with(PublisherConfig.KAFKA_PROPERTIES, "linger.ms=\\uZZZZ").problems()).singleElement().asString()
                .startsWith("Kafka client properties are not in Java properties format");
    }

    @Test
    void everythingWrongIsListedAtOnce() {
        PublisherConfig config = PublisherConfig.of(Map.of(PublisherConfig.HEARTBEAT_INTERVAL, "0", PublisherConfig.TOPIC_PARTITIONS, "x",
                PublisherConfig.ENABLED, "yes"), "acme");

        assertThat(config.problems()).hasSize(5);
    }

    @Test
    void secretValuesNeverShowInItsText() {
        PublisherConfig config = with(PublisherConfig.KAFKA_SECRET_PROPERTIES,
                "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cret\";");

        assertThat(config.toString()).contains("sasl.jaas.config").doesNotContain("s3cret").doesNotContain("PlainLoginModule");
    }
}
