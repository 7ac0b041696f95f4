package io.github.keycloakreplica.config;

import io.github.keycloakreplica.kafka.ConsumerSettings;
import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;

import java.util.List;

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

        assertThat(ConsumerSettings.problems(config)).isEmpty();
        assertThat(config.bootstrapServers()).isEqualTo("kafka-1:9092,kafka-2:9093");
        assertThat(config.topics().identity()).isEqualTo("acme.identity");
        assertThat(config.clientProperties()).containsKeys("security.protocol", "max.poll.records", "sasl.jaas.config");
        assertThat(config.upstreamName()).isEqualTo(ReplicaConfig.DEFAULT_UPSTREAM_NAME);
    }

    @Test
    void missingAndMalformedSettingsAreNamed() {
        assertThat(ConsumerSettings.problems(config(null, null, null, null, null)))
                .anyMatch(p -> p.startsWith("Bootstrap servers are required"))
                .anyMatch(p -> p.startsWith("Topic prefix"))
                .anyMatch(p -> p.startsWith("Consumer group is required"));
        assertThat(ConsumerSettings.problems(config("kafka-1", "acme", "g", null, null))).containsExactly("Bootstrap server 'kafka-1' is not host:port.");
        assertThat(ConsumerSettings.problems(config("k:1", "acme/realms", "g", null, null))).singleElement().asString().contains("may only hold");
        assertThat(ConsumerSettings.problems(config("kafka-1:9092\nERROR forged,k:1", "acme", "g", null, null)))
                .containsExactly("Bootstrap server 'kafka-1:9092\\u000AERROR forged' is not host:port.");
    }

    @Test
    void settingsTheReplicaOwnsCannotBeOverridden() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "enable.auto.commit=true\ngroup.id=other", null)))
                .anyMatch(p -> p.contains("'enable.auto.commit' is set by the replica"))
                .anyMatch(p -> p.contains("'group.id' is set by the replica"));
    }

    @Test
    void secretsBelongInTheSecretBlock() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "ssl.truststore.password=changeit", null)))
                .singleElement().asString().contains("'ssl.truststore.password' holds a secret");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", null, "ssl.truststore.password=changeit"))).isEmpty();
    }

    @Test
    void configProvidersAreRefusedSinceTheyReadServerFilesIntoTheSettings() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "config.providers=file\nconfig.providers.file.class="
                + "org.apache.kafka.common.config.provider.FileConfigProvider\nsasl.mechanism=${file:/etc/passwd:root}", null)))
                .anyMatch(p -> p.equals("Kafka client properties: 'config.providers' is not among the Kafka settings a replica accepts: "
                        + "it makes Kafka read files and other sources on this server into its settings (and from there into the server log)."))
                .anyMatch(p -> p.startsWith("Kafka client properties: 'config.providers.file.class' is not among the Kafka settings"));
    }

    @Test
    void settingsThatLoadClassesAreRefusedAndSaySo() {
        for (String key : List.of("interceptor.classes", "metric.reporters", "sasl.login.callback.handler.class",
                "sasl.client.callback.handler.class", "sasl.login.class", "ssl.engine.factory.class", "partition.assignment.strategy",
                "security.providers", "sasl.oauthbearer.jwt.retriever.class", "value.serializer.class")) {
            assertThat(ConsumerSettings.problems(config("k:1", "p", "g", key + "=com.example.Harmless", null))).as(key)
                    .containsExactly("Kafka client properties: '" + key + "' is not among the Kafka settings a replica accepts: "
                            + "it names Java classes that Kafka would load and run inside Keycloak.");
        }
    }

    @Test
    void theSecretBlockFollowsTheSameAllowlist() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", null, "sasl.login.callback.handler.class=com.example.Handler\nconfig.providers=env")))
                .anyMatch(p -> p.startsWith("Kafka secret properties: 'sasl.login.callback.handler.class' is not among the Kafka settings"))
                .anyMatch(p -> p.startsWith("Kafka secret properties: 'config.providers' is not among the Kafka settings"))
                .hasSize(2);
    }

    @Test
    void unknownAndMisspeltKeysAreRefusedByName() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "ssl.trustore.location=/etc/kafka/truststore.p12", null)))
                .containsExactly("Kafka client properties: 'ssl.trustore.location' is not among the Kafka settings a replica accepts: "
                        + "Kafka has no consumer setting of that name.");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "linger.ms=5", null)))
                .as("a producer setting").singleElement().asString().contains("'linger.ms' is not among");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "auto.commit.interval.ms=1000", null)))
                .as("a consumer setting that means nothing to a replica")
                .containsExactly("Kafka client properties: 'auto.commit.interval.ms' is not among the Kafka settings a replica accepts.");
    }

    @Test
    void refusalsOfKafkaSettingsWithASpecialReasonGiveIt() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "sasl.kerberos.kinit.cmd=/tmp/x\ngroup.instance.id=node\nallow.auto.create.topics=true",
                null)))
                .anyMatch(p -> p.contains("'sasl.kerberos.kinit.cmd'") && p.endsWith("it runs a program on this server."))
                .anyMatch(p -> p.contains("'group.instance.id'") && p.contains("fence the others out"))
                .anyMatch(p -> p.contains("'allow.auto.create.topics'") && p.contains("never creates"));
    }

    @Test
    void deserializersStayTheReplicasOwn() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "key.deserializer=com.example.Evil", null)))
                .containsExactly("Kafka client properties: 'key.deserializer' is set by the replica itself and cannot be overridden.");
    }

    @Test
    void valuesAreCheckedByKafkasOwnDefinitionsWithoutBeingQuoted() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "max.poll.records=abc2\nsecurity.protocol=TLS13\ncheck.crcs=yes", null)))
                .containsExactlyInAnyOrder(
                        "Kafka client properties: 'check.crcs' is not valid: Expected value to be either true or false.",
                        "Kafka client properties: 'max.poll.records' is not valid: Not a number of type INT.",
                        "Kafka client properties: 'security.protocol' is not valid: String must be one of (case insensitive): "
                                + "SASL_SSL, PLAINTEXT, SSL, SASL_PLAINTEXT.")
                .noneMatch(p -> p.contains("abc2") || p.contains("TLS13") || p.contains("yes"));
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "fetch.max.bytes=99999999999", null)))
                .singleElement().asString().contains("'fetch.max.bytes' is not valid: Not a number of type INT");
    }

    @Test
    void numbersThatWouldStallTheSiteAreBounded() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "max.poll.records=1000000", null)))
                .singleElement().asString().startsWith("Kafka client properties: 'max.poll.records' must be between 1 and 10,000: ");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "max.poll.records=0", null)))
                .as("Kafka's own bound first").singleElement().asString().contains("Value must be at least 1");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "request.timeout.ms=0", null)))
                .singleElement().asString().contains("'request.timeout.ms' must be at least 1,000");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "fetch.max.bytes=1073741824", null)))
                .singleElement().asString().contains("between 0 and 134,217,728").contains("heap");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "fetch.max.wait.ms=60000", null)))
                .singleElement().asString().contains("heartbeats");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "reconnect.backoff.max.ms=86400000", null)))
                .singleElement().asString().contains("severed");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "max.poll.interval.ms=100", null)))
                .singleElement().asString().contains("at least 10,000");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "max.poll.records=500\nfetch.max.bytes=1048576\nrequest.timeout.ms=30000", null)))
                .isEmpty();
    }

    @Test
    void theHeartbeatMustComeWithinTheSessionTimeout() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "session.timeout.ms=2000", null)))
                .containsExactly("Kafka properties: 'heartbeat.interval.ms' (3000, the replica's default) must be less than "
                        + "'session.timeout.ms' (2000): Kafka does not start a consumer otherwise; a third of the session timeout is usual.");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "heartbeat.interval.ms=20000", null)))
                .singleElement().asString().contains("(20000)").contains("(10000, the replica's default)");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "session.timeout.ms=30000\nheartbeat.interval.ms=10000", null))).isEmpty();
    }

    @Test
    void saslSettingsAreCheckedWithoutQuotingTheSecret() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "sasl.mechanism=SCRAM-SHA-521", null)))
                .singleElement().asString().contains("'sasl.mechanism' must be one of GSSAPI, OAUTHBEARER, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", null, "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"site\" hunter2 password=\"x\";")))
                .singleElement().asString().contains("'sasl.jaas.config' is not one JAAS login entry Kafka can read").doesNotContain("hunter2");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", null, "sasl.jaas.config=com.example.LoginModule required password=\"hunter2\";")))
                .singleElement().asString().contains("names the login module com.example.LoginModule, which a replica does not run")
                .doesNotContain("hunter2");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", null, "sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                + "required;"))).isEmpty();
    }

    @Test
    void oauthEndpointsMustBeHttps() {
        for (String url : List.of("file:/etc/passwd", "http://idp.example.com/token", "https:///token", "not a url")) {
            assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "sasl.oauthbearer.token.endpoint.url=" + url, null))).as(url)
                    .singleElement().asString().contains("'sasl.oauthbearer.token.endpoint.url' must be an https URL");
        }
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "sasl.oauthbearer.jwks.endpoint.url=https://idp:s3cret@idp.example.com/jwks", null)))
                .singleElement().asString().contains("must not carry a user name or password").doesNotContain("s3cret");
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "sasl.oauthbearer.token.endpoint.url=https://idp.example.com/realms/kafka/protocol/openid-connect/token",
                null))).isEmpty();
    }

    @Test
    void aSiteOnTlsWithPemOrOAuthHasNoProblems() {
        String properties = String.join("\n", "security.protocol=SASL_SSL", "sasl.mechanism=OAUTHBEARER",
                "sasl.oauthbearer.token.endpoint.url=https://idp.example.com/token", "sasl.oauthbearer.scope=kafka",
                "sasl.oauthbearer.client.credentials.client.id=site-berlin", "ssl.truststore.type=PEM",
                "ssl.truststore.location=/etc/kafka/ca.pem", "ssl.enabled.protocols=TLSv1.3,TLSv1.2", "ssl.endpoint.identification.algorithm=https",
                "client.rack=eu-central-1a", "client.dns.lookup=use_all_dns_ips", "session.timeout.ms=15000", "heartbeat.interval.ms=5000",
                "max.poll.interval.ms=600000", "isolation.level=read_committed", "metadata.max.age.ms=60000", "check.crcs=true");
        String secrets = "sasl.oauthbearer.client.credentials.client.secret=s3cret\nssl.keystore.key=-----BEGIN PRIVATE KEY-----";

        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", properties, secrets))).isEmpty();
    }

    @Test
    void aKeyPassphraseIsASecretToo() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "sasl.oauthbearer.assertion.private.key.passphrase=x\nssl.keystore.key=y", null)))
                .anyMatch(p -> p.contains("'sasl.oauthbearer.assertion.private.key.passphrase' holds a secret"))
                .anyMatch(p -> p.contains("'ssl.keystore.key' holds a secret"))
                .hasSize(2);
    }

    @Test
    void aKeyWithALineBreakIsNamedOnOneLine() {
        assertThat(ConsumerSettings.problems(config("k:1", "p", "g", "evil\\nINFO\\u0020forged=1", null)))
                .singleElement().asString().doesNotContain("\n").contains("'evil\\u000AINFO forged'");
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
        ComponentModel model = new ComponentModel();
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
        ComponentModel model = new ComponentModel();
        model.put(ReplicaConfig.BOOTSTRAP_SERVERS, "k:1");
        model.put(ReplicaConfig.TOPIC_PREFIX, "acme");
        model.put(ReplicaConfig.CONSUMER_GROUP, "site-a");
        assertThat(ReplicaConfig.of(model).streamMayGrant().names()).as("nothing beyond the rule by default").isEmpty();

        model.put(ReplicaConfig.STREAM_MAY_GRANT, "realm-management.view-users, /ops/admins");
        ReplicaConfig config = ReplicaConfig.of(model);
        assertThat(config.streamMayGrant().names()).containsExactlyInAnyOrder("realm-management.view-users", "/ops/admins");
        assertThat(ConsumerSettings.problems(config)).isEmpty();
        assertThat(config.withWritePath(null).streamMayGrant()).isEqualTo(config.streamMayGrant());

        model.put(ReplicaConfig.STREAM_MAY_GRANT, "realm-management.*");
        assertThat(ConsumerSettings.problems(ReplicaConfig.of(model))).singleElement().asString().contains("is not a pattern");
    }
}
