package io.github.keycloakreplica.replica;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaConfigTest {

    private static ReplicaConfig config(String bootstrap, String prefix, String group, String properties, String secrets) {
        return ReplicaConfig.parse(bootstrap, prefix, group, properties, secrets, null);
    }

    @Test
    void aCompleteConfigurationHasNoProblems() {
        ReplicaConfig config = config(" kafka-1:9092,kafka-2:9093 ", "acme", "site-berlin",
                "security.protocol=SASL_SSL\nmax.poll.records=200", "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required;");

        assertThat(config.problems()).isEmpty();
        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9093");
        assertThat(config.topics().identity()).isEqualTo("acme.identity");
        assertThat(config.clientProperties()).containsKeys("security.protocol", "max.poll.records", "sasl.jaas.config");
        assertThat(config.upstreamName()).isEqualTo(ReplicaConfig.DEFAULT_UPSTREAM_NAME);
    }

    @Test
    void missingAndMalformedSettingsAreNamed() {
        assertThat(config(null, null, null, null, null).problems())
                .anyMatch(p -> p.startsWith("Bootstrap servers are required"))
                .anyMatch(p -> p.startsWith("Topic prefix"))
                .anyMatch(p -> p.startsWith("Consumer group is required"));
        assertThat(config("kafka-1", "acme", "g", null, null).problems()).containsExactly("Bootstrap server 'kafka-1' is not host:port.");
        assertThat(config("k:1", "acme/realms", "g", null, null).problems()).singleElement().asString().contains("may only hold");
    }

    @Test
    void settingsTheReplicaOwnsCannotBeOverridden() {
        assertThat(config("k:1", "p", "g", "enable.auto.commit=true\ngroup.id=other", null).problems())
                .anyMatch(p -> p.contains("'enable.auto.commit' is set by the replica"))
                .anyMatch(p -> p.contains("'group.id' is set by the replica"));
    }

    @Test
    void secretsBelongInTheSecretBlock() {
        assertThat(config("k:1", "p", "g", "ssl.truststore.password=changeit", null).problems())
                .singleElement().asString().contains("'ssl.truststore.password' holds a secret");
        assertThat(config("k:1", "p", "g", null, "ssl.truststore.password=changeit").problems()).isEmpty();
    }

    @Test
    void toStringNeverShowsSecretValues() {
        ReplicaConfig config = config("k:1", "p", "g", null, "sasl.jaas.config=... password=\"hunter2\";");

        assertThat(config.toString()).contains("sasl.jaas.config").doesNotContain("hunter2");
    }

    @Test
    void malformedPropertiesAreAClearError() {
        assertThatThrownBy(() -> config("k:1", "p", "g", "a=\\u12", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Java properties format");
    }

    @Test
    void aComponentsWritePathIsReadFromItsConfigAndItsSecretNeverShown() {
        org.keycloak.component.ComponentModel model = new org.keycloak.component.ComponentModel();
        model.put(ReplicaConfig.BOOTSTRAP_SERVERS, "k:1");
        model.put(ReplicaConfig.TOPIC_PREFIX, "acme");
        model.put(ReplicaConfig.CONSUMER_GROUP, "site-a");
        assertThat(ReplicaConfig.of(model).writePath()).as("no URL, no write path").isNull();

        model.put(ReplicaConfig.WRITE_PATH_URL, "https://hq.example.com/realms/acme/credentials");
        model.put(ReplicaConfig.WRITE_PATH_CLIENT_ID, "site-a");
        model.put(ReplicaConfig.WRITE_PATH_CLIENT_SECRET, "wr1te-s3cret");
        ReplicaConfig config = ReplicaConfig.of(model);
        assertThat(config.writePath().url().getHost()).isEqualTo("hq.example.com");
        assertThat(config.toString()).doesNotContain("wr1te-s3cret");

        model.put(ReplicaConfig.WRITE_PATH_URL, "http://hq.example.com/credentials");
        assertThatThrownBy(() -> ReplicaConfig.of(model)).hasMessageContaining("must use https");
    }

    @Test
    void aSecondComponentInOneConsumerGroupOnTheSameTopicsIsAClash() {
        ReplicaConfig site = config("kafka-1:9092,kafka-2:9093", "acme", "site-berlin", null, null);

        assertThat(site.sharesConsumerGroupWith(config(" KAFKA-2:9093 , kafka-1:9092", "acme", "site-berlin", null, null))).isTrue();
        assertThat(site.sharesConsumerGroupWith(config("kafka-1:9092,kafka-2:9093", "globex", "site-berlin", null, null)))
                .as("other topics: Kafka assigns each topic's partitions among its own subscribers").isFalse();
        assertThat(site.sharesConsumerGroupWith(config("kafka-1:9092,kafka-2:9093", "acme", "site-munich", null, null))).isFalse();
        assertThat(site.sharesConsumerGroupWith(config("other:9092", "acme", "site-berlin", null, null)))
                .as("another cluster").isFalse();
        assertThat(config(null, "acme", "site-berlin", null, null).sharesConsumerGroupWith(config(null, "acme", "site-berlin", null, null)))
                .as("no brokers named: nothing to share").isFalse();
    }

    @Test
    void whatTheStreamMayGrantIsReadFromTheComponentAndAPatternIsRefused() {
        org.keycloak.component.ComponentModel model = new org.keycloak.component.ComponentModel();
        model.put(ReplicaConfig.BOOTSTRAP_SERVERS, "k:1");
        model.put(ReplicaConfig.TOPIC_PREFIX, "acme");
        model.put(ReplicaConfig.CONSUMER_GROUP, "site-a");
        assertThat(ReplicaConfig.of(model).streamMayGrant().names()).as("nothing beyond the rule by default").isEmpty();

        model.put(ReplicaConfig.STREAM_MAY_GRANT, "realm-management.view-users, /ops/admins");
        ReplicaConfig config = ReplicaConfig.of(model);
        assertThat(config.streamMayGrant().names()).containsExactlyInAnyOrder("realm-management.view-users", "/ops/admins");
        assertThat(config.problems()).isEmpty();
        assertThat(config.withWritePath(null).streamMayGrant()).isEqualTo(config.streamMayGrant());

        model.put(ReplicaConfig.STREAM_MAY_GRANT, "realm-management.*");
        assertThat(ReplicaConfig.of(model).problems()).singleElement().asString().contains("is not a pattern");
    }
}
