package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.publisher.PublisherConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProducerSettingsTest {

    private static final Map<String, ConfigDef.ConfigKey> KAFKA = ProducerConfig.configDef().configKeys();

    private static PublisherConfig config(String properties, String secrets) {
        Map<String, String> settings = new HashMap<>();
        settings.put(PublisherConfig.BOOTSTRAP_SERVERS, "kafka-1:9093");
        settings.put(PublisherConfig.TOPIC_PREFIX, "acme");
        settings.put(PublisherConfig.KAFKA_PROPERTIES, properties);
        settings.put(PublisherConfig.KAFKA_SECRET_PROPERTIES, secrets);
        return PublisherConfig.of(settings, "acme");
    }

    private static List<String> problems(String properties) {
        return ProducerSettings.problems(config(properties, null));
    }

    // The allowlist against Kafka 4.1's own definitions.

    @Test
    void everyAcceptedKeyIsAProducerSettingOfTheKafkaClientWeShip() {
        assertThat(ProducerSettings.ACCEPTED).allSatisfy(key -> assertThat(KAFKA).as(key).containsKey(key));
        assertThat(ProducerSettings.RESERVED.keySet()).allSatisfy(key -> assertThat(KAFKA).as(key).containsKey(key));
    }

    @Test
    void theConnectionAndSecuritySettingsAreTheReplicasOwn() {
        assertThat(ProducerSettings.ACCEPTED).containsAll(ClientPropertyRules.CONNECTION).containsAll(ClientPropertyRules.NETWORK);
        assertThat(KafkaPropertyAllowlist.ACCEPTED).containsAll(ClientPropertyRules.CONNECTION).containsAll(ClientPropertyRules.NETWORK);
        assertThat(ProducerSettings.ACCEPTED).contains("linger.ms", "batch.size", "compression.type", "max.request.size", "buffer.memory",
                "request.timeout.ms", "delivery.timeout.ms", "max.block.ms");
    }

    @Test
    void noAcceptedKeyTakesAClassName() {
        assertThat(ProducerSettings.ACCEPTED)
                .allSatisfy(key -> assertThat(KAFKA.get(key).type).as(key).isNotEqualTo(ConfigDef.Type.CLASS))
                .noneMatch(key -> key.endsWith(".class") || key.endsWith(".classes"));
        assertThat(problems("interceptor.classes=com.example.Spy\npartitioner.class=com.example.P\nmetric.reporters=com.example.M"))
                .containsExactly(
                        "Kafka client properties: 'interceptor.classes' is not among the Kafka settings the publisher accepts: "
                                + "it names Java classes that Kafka would load and run inside Keycloak.",
                        "Kafka client properties: 'metric.reporters' is not among the Kafka settings the publisher accepts: "
                                + "it names Java classes that Kafka would load and run inside Keycloak.",
                        "Kafka client properties: 'partitioner.class' is not among the Kafka settings the publisher accepts: "
                                + "it names Java classes that Kafka would load and run inside Keycloak.");
    }

    @Test
    void everyKafkaProducerSettingIsEitherAcceptedOrRefusedWithAReason() {
        ClientPropertyRules rules = rules();
        for (String key : KAFKA.keySet()) {
            assertThat(rules.accepts(key) ^ rules.refusal(key) != null).as(key).isTrue();
        }
    }

    @Test
    void everyAcceptedKeyTakesKafkasDefaultAsAValueUnlessWeSetOurOwn() {
        ClientPropertyRules rules = rules();
        for (String key : ProducerSettings.ACCEPTED) {
            ConfigDef.ConfigKey definition = KAFKA.get(key);
            if (definition.hasDefault() && definition.defaultValue != null && definition.type != ConfigDef.Type.PASSWORD
                    && !key.equals(ProducerConfig.MAX_BLOCK_MS_CONFIG)) {
                String text = definition.defaultValue instanceof List<?> list
                        ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(definition.defaultValue);
                assertThat(rules.valueProblem(key, text)).as(key + "=" + text).isNull();
            }
        }
        Properties ours = ProducerSettings.of(config(null, null), "txn", "c");
        for (String key : ours.stringPropertyNames()) {
            if (rules.accepts(key)) {
                assertThat(rules.valueProblem(key, ours.getProperty(key))).as("ours: " + key).isNull();
            }
        }
    }

    // What an administrator is told.

    @Test
    void whatThePublisherSetsItselfIsRefusedWithWhy() {
        assertThat(problems("acks=1\nenable.idempotence=false\ntransactional.id=mine\nclient.id=mine\nbootstrap.servers=k:1"))
                .containsExactly(
                        "Kafka client properties: 'acks' is set by the publisher itself and cannot be overridden: it is always all: "
                                + "a change counts as published only once every in-sync broker holds it.",
                        "Kafka client properties: 'bootstrap.servers' is set by the publisher itself and cannot be overridden: it comes "
                                + "from the Bootstrap servers setting.",
                        "Kafka client properties: 'client.id' is set by the publisher itself and cannot be overridden: the publisher "
                                + "names its clients itself (keycloak-replica-publisher-<realm>, with -admin and -offsets), which is also "
                                + "the name to give broker quotas.",
                        "Kafka client properties: 'enable.idempotence' is set by the publisher itself and cannot be overridden: it is "
                                + "always true: a send Kafka retries is then written once.",
                        "Kafka client properties: 'transactional.id' is set by the publisher itself and cannot be overridden: the "
                                + "publisher gives each realm's relay one of its own, with which Kafka fences a relay that stalled after "
                                + "another node took over.");
        assertThat(problems("key.serializer=com.example.S\nvalue.serializer=com.example.S"))
                .allMatch(p -> p.contains("is set by the publisher itself")).hasSize(2);
    }

    @Test
    void producerSettingsThatWouldBreakOrderOrFilesOrProgramsAreRefusedWithWhy() {
        assertThat(problems("partitioner.ignore.keys=true\nretries=0\nconfig.providers=file\nsasl.kerberos.kinit.cmd=/tmp/x"))
                .anyMatch(p -> p.contains("'partitioner.ignore.keys'") && p.contains("keeps one person's changes in order"))
                .anyMatch(p -> p.contains("'retries'") && p.contains("delivery.timeout.ms bounds"))
                .anyMatch(p -> p.contains("'config.providers'") && p.contains("read files"))
                .anyMatch(p -> p.endsWith("it runs a program on this server."))
                .hasSize(4);
        assertThat(problems("max.poll.records=100"))
                .containsExactly("Kafka client properties: 'max.poll.records' is not among the Kafka settings the publisher accepts: "
                        + "Kafka has no producer setting of that name.");
        assertThat(problems("metrics.num.samples=3"))
                .containsExactly("Kafka client properties: 'metrics.num.samples' is not among the Kafka settings the publisher accepts.");
    }

    @Test
    void theProducersTuningIsTakenWithinBounds() {
        assertThat(problems("linger.ms=20\nbatch.size=65536\ncompression.type=zstd\ncompression.zstd.level=5\nmax.request.size=2097152\n"
                + "buffer.memory=67108864\nrequest.timeout.ms=20000\ndelivery.timeout.ms=60000\nmax.block.ms=5000\n"
                + "max.in.flight.requests.per.connection=2\ntransaction.timeout.ms=30000\nsecurity.protocol=SSL")).isEmpty();
        assertThat(problems("linger.ms=5000")).singleElement().asString()
                .isEqualTo("Kafka client properties: 'linger.ms' must be between 0 and 1,000: every change waits this long before it "
                        + "is sent, and the replicas see it that much later.");
        assertThat(problems("max.request.size=1000")).singleElement().asString().contains("between 1,048,576 and").contains("never skips one");
        assertThat(problems("max.block.ms=120000")).singleElement().asString().contains("between 1,000 and 30,000").contains("no heartbeat");
        assertThat(problems("max.in.flight.requests.per.connection=10")).singleElement().asString().contains("between 1 and 5");
        assertThat(problems("transaction.timeout.ms=3600000")).singleElement().asString().contains("transaction.max.timeout.ms");
        assertThat(problems("buffer.memory=1024")).singleElement().asString().contains("heap");
        assertThat(problems("reconnect.backoff.max.ms=600000")).singleElement().asString().contains("severed");
        assertThat(problems("compression.type=brotli")).singleElement().asString()
                .startsWith("Kafka client properties: 'compression.type' is not valid: String must be one of");
    }

    @Test
    void theDeliveryTimeoutMustCoverLingerAndRequestTimeout() {
        assertThat(problems("delivery.timeout.ms=20000\nrequest.timeout.ms=20000\nlinger.ms=100"))
                .containsExactly("Kafka properties: 'delivery.timeout.ms' (20000) must be at least 'linger.ms' plus 'request.timeout.ms' "
                        + "(100 + 20000): Kafka does not start a producer otherwise.");
        assertThat(problems("request.timeout.ms=200000")).singleElement().asString()
                .contains("(120000, the publisher's default)").contains("(5 + 200000)");
    }

    @Test
    void secretsBelongInTheSecretBlockAndAreNeverQuoted() {
        assertThat(problems("ssl.key.password=s3cret")).singleElement().asString()
                .contains("'ssl.key.password' holds a secret").doesNotContain("s3cret");
        assertThat(ProducerSettings.problems(config(null, "ssl.key.password=s3cret"))).isEmpty();
        assertThat(ProducerSettings.problems(config(null, "sasl.jaas.config=com.example.Evil required password=\"s3cret\";")))
                .singleElement().asString().contains("Kafka secret properties: 'sasl.jaas.config' names the login module com.example.Evil")
                .contains("which the publisher does not run").doesNotContain("s3cret");
        assertThat(ProducerSettings.problems(config(null, "sasl.oauthbearer.token.endpoint.url=https://u:s3cret@idp/token")))
                .singleElement().asString().contains("must not carry a user name or password").doesNotContain("s3cret");
    }

    // What Kafka gets.

    @Test
    void theProducerIsIdempotentTransactionalAndWaitsForEveryInSyncBroker() {
        PublisherConfig config = config("security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nlinger.ms=20",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"hq\" password=\"s3cret\";");

        Properties properties = ProducerSettings.of(config, "keycloak-replica-publisher-acme", "keycloak-replica-publisher-acme");

        assertThat(properties)
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka-1:9093")
                .containsEntry(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "keycloak-replica-publisher-acme")
                .containsEntry(ProducerConfig.CLIENT_ID_CONFIG, "keycloak-replica-publisher-acme")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000")
                .containsEntry(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, String.valueOf(ConsumerSettings.RECONNECT_BACKOFF_MS))
                .containsEntry(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(ConsumerSettings.RECONNECT_BACKOFF_MAX_MS))
                .containsEntry(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, String.valueOf(ConsumerSettings.RETRY_BACKOFF_MAX_MS))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("linger.ms", "20")
                .containsKey("sasl.jaas.config");
        // Kafka itself reads it as an idempotent transactional producer.
        Properties kafka = new Properties();
        kafka.putAll(properties);
        kafka.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        kafka.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        ProducerConfig read = new ProducerConfig(kafka);
        assertThat(read.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG)).isTrue();
        assertThat(read.getString(ProducerConfig.ACKS_CONFIG)).isEqualTo("-1");
        assertThat(read.getLong(ProducerConfig.MAX_BLOCK_MS_CONFIG)).isEqualTo(10_000L);
    }

    @Test
    void theAdministratorsTimingsReplaceOursButNeverOurGuarantees() {
        Properties properties = ProducerSettings.of(config("max.block.ms=5000\ndelivery.timeout.ms=60000\nreconnect.backoff.max.ms=30000",
                null), "t", "c");

        assertThat(properties)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000")
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000")
                .containsEntry(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "30000");
    }

    @Test
    void aStoredSettingOutsideTheAllowlistIsLeftOutAndNamedWithoutItsValue() {
        PublisherConfig config = config("linger.ms=20\nacks=1\ninterceptor.classes=com.example.Spy", "ssl.key.password=s3cret\nretries=0");
        List<String> warnings = new ArrayList<>();

        Properties properties = ProducerSettings.of(config, "txn-acme", "keycloak-replica-publisher-acme", warnings::add);

        assertThat(properties)
                .containsEntry("linger.ms", "20")
                .containsEntry("ssl.key.password", "s3cret")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .doesNotContainKeys("interceptor.classes", "retries");
        assertThat(warnings).hasSize(3)
                .allMatch(w -> w.startsWith("keycloak-replica-publisher-acme: Kafka setting '") && w.contains("left out"))
                .noneMatch(w -> w.contains("com.example") || w.contains("s3cret"));
    }

    @Test
    void aTransactionalIdIsRequired() {
        assertThatThrownBy(() -> ProducerSettings.of(config(null, null), " ", "c")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theAdminClientGetsTheConnectionAndNoneOfTheProducersTuning() {
        PublisherConfig config = config("security.protocol=SSL\nlinger.ms=20\nrequest.timeout.ms=20000", "ssl.key.password=s3cret");

        Properties properties = ProducerSettings.forAdmin(config, "keycloak-replica-publisher-acme-admin");

        assertThat(properties)
                .containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka-1:9093")
                .containsEntry(AdminClientConfig.CLIENT_ID_CONFIG, "keycloak-replica-publisher-acme-admin")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("ssl.key.password", "s3cret")
                .containsEntry("request.timeout.ms", "20000")
                .containsEntry(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(ConsumerSettings.RECONNECT_BACKOFF_MAX_MS))
                .doesNotContainKeys("linger.ms", ProducerConfig.TRANSACTIONAL_ID_CONFIG, ProducerConfig.ACKS_CONFIG);
        assertThat(properties.stringPropertyNames()).allMatch(AdminClientConfig.configNames()::contains);
    }

    @Test
    void theOffsetsReaderReadsCommittedOffsetsWithoutAGroup() {
        PublisherConfig config = config("security.protocol=SSL\nlinger.ms=20\nmax.block.ms=5000", null);

        Properties properties = ProducerSettings.forOffsets(config, "keycloak-replica-publisher-acme-offsets");

        assertThat(properties)
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .containsEntry(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false")
                .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "keycloak-replica-publisher-acme-offsets")
                .containsEntry("security.protocol", "SSL")
                .doesNotContainKeys(ConsumerConfig.GROUP_ID_CONFIG, "linger.ms", "max.block.ms");
        assertThat(properties.stringPropertyNames()).allMatch(ConsumerConfig.configNames()::contains);
        Properties kafka = new Properties();
        kafka.putAll(properties);
        kafka.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        kafka.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        assertThat(new ConsumerConfig(kafka).getString(ConsumerConfig.ISOLATION_LEVEL_CONFIG)).isEqualTo("read_committed");
    }

    private static ClientPropertyRules rules() {
        return ProducerSettings.RULES;
    }
}
