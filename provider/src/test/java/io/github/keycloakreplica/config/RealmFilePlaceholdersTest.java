package io.github.keycloakreplica.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.kafka.ConsumerSettings;
import org.junit.jupiter.api.Test;
import org.keycloak.common.util.MultivaluedHashMap;
import org.keycloak.component.ComponentModel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class RealmFilePlaceholdersTest {

    private static final Path SAMPLE_REALM = Path.of("..", "realm-config", "acme-realm.json");

    private static Map<String, List<String>> settings(String... nameValuePairs) {
        Map<String, List<String>> settings = new LinkedHashMap<>();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            settings.computeIfAbsent(nameValuePairs[i], k -> new ArrayList<>()).add(nameValuePairs[i + 1]);
        }
        return settings;
    }

    @Test
    void aPlaceholderWithADefaultBecomesTheDefaultAsAStartUpImportWithoutTheVariableWouldStoreIt() {
        Map<String, List<String>> settings = settings(ReplicaConfig.BOOTSTRAP_SERVERS, "${REPLICA_KAFKA_BOOTSTRAP_SERVERS:127.0.0.1:9092}",
                ReplicaConfig.WRITE_PATH_URL, "${REPLICA_WRITE_PATH_URL:}", ReplicaConfig.CONSUMER_GROUP, "site-a");

        RealmFilePlaceholders.Outcome outcome = RealmFilePlaceholders.settle(settings, ReplicaConfigProperties::label);

        assertThat(settings).containsEntry(ReplicaConfig.BOOTSTRAP_SERVERS, List.of("127.0.0.1:9092"))
                .containsEntry(ReplicaConfig.WRITE_PATH_URL, List.of(""))
                .containsEntry(ReplicaConfig.CONSUMER_GROUP, List.of("site-a"));
        assertThat(outcome.refusal()).isNull();
        assertThat(outcome.defaulted()).extracting(RealmFilePlaceholders.Placeholder::variable)
                .containsExactly("REPLICA_KAFKA_BOOTSTRAP_SERVERS", "REPLICA_WRITE_PATH_URL");
        assertThat(outcome.notice()).startsWith("Bootstrap servers (${REPLICA_KAFKA_BOOTSTRAP_SERVERS:...}), Write path URL "
                        + "(${REPLICA_WRITE_PATH_URL:...}) were placeholders and now hold their defaults")
                .contains("kc.sh start --import-realm").contains("The environment was not read");
    }

    @Test
    void theEnvironmentIsNeverRead() {
        // PATH is set wherever the test runs; its value must not become a setting.
        Map<String, List<String>> settings = settings(ReplicaConfig.UPSTREAM_NAME, "${PATH:the HQ Keycloak}",
                ReplicaConfig.TOPIC_PREFIX, "${PATH}");

        RealmFilePlaceholders.Outcome outcome = RealmFilePlaceholders.settle(settings, ReplicaConfigProperties::label);

        assertThat(settings).containsEntry(ReplicaConfig.UPSTREAM_NAME, List.of("the HQ Keycloak"))
                .containsEntry(ReplicaConfig.TOPIC_PREFIX, List.of("${PATH}"));
        assertThat(outcome.refusal()).isNotNull();
    }

    @Test
    void aPlaceholderWithoutADefaultIsRefusedNamingTheSettingAndTheVariable() {
        Map<String, List<String>> settings = settings(ReplicaConfig.BOOTSTRAP_SERVERS, "${REPLICA_KAFKA_BOOTSTRAP_SERVERS}",
                ReplicaConfig.CONSUMER_GROUP, "${SITE_GROUP}", ReplicaConfig.TOPIC_PREFIX, "${REPLICA_TOPIC_PREFIX:acme}");

        RealmFilePlaceholders.Outcome outcome = RealmFilePlaceholders.settle(settings, ReplicaConfigProperties::label);

        assertThat(outcome.refusal()).isEqualTo("Bootstrap servers (${REPLICA_KAFKA_BOOTSTRAP_SERVERS}), Consumer group (${SITE_GROUP}) "
                + "are placeholders without a default: Keycloak fills a realm file's placeholders from its environment only when it "
                + "imports the file at start-up (kc.sh start --import-realm, kc.sh import), not when the realm is created through "
                + "admin REST or the admin console. Give the value, or write a default into the placeholder (${NAME:default}).");
        assertThat(settings).as("a refused value is left as it was")
                .containsEntry(ReplicaConfig.BOOTSTRAP_SERVERS, List.of("${REPLICA_KAFKA_BOOTSTRAP_SERVERS}"));
    }

    @Test
    void aDefaultIsNeverShownSinceItMayBeASecret() {
        Map<String, List<String>> settings = settings(ReplicaConfig.WRITE_PATH_CLIENT_SECRET, "${SITE_SECRET:s3cr3t-value}");

        RealmFilePlaceholders.Outcome outcome = RealmFilePlaceholders.settle(settings, ReplicaConfigProperties::label);

        assertThat(settings).containsEntry(ReplicaConfig.WRITE_PATH_CLIENT_SECRET, List.of("s3cr3t-value"));
        assertThat(outcome.notice()).contains("Write path client secret (${SITE_SECRET:...})").doesNotContain("s3cr3t");
        assertThat(outcome.defaulted().get(0).toString()).doesNotContain("s3cr3t");
    }

    @Test
    void onlyAWholeValueThatIsOnePlaceholderCounts() {
        for (String value : List.of("kafka-${SITE}:9092", "${A}${B}", "${A:x}-y", "${}", "${not a name:x}", "${vault.secret}", "$ {A:x}",
                "plain", "")) {
            assertThat(RealmFilePlaceholders.parse("s", value)).as(value).isNull();
        }
    }

    @Test
    void defaultsAreReadAsKeycloaksStartUpImportReadsThem() {
        Function<String, String> defaultOf = value -> RealmFilePlaceholders.parse("s", value).fallback();
        assertThat(defaultOf.apply("${A:127.0.0.1:9092}")).as("the first colon ends the name").isEqualTo("127.0.0.1:9092");
        assertThat(defaultOf.apply("${A:${B:x}}")).as("a default that is a placeholder gives its own").isEqualTo("x");
        assertThat(defaultOf.apply("${A:${B}}")).as("no default at the end of the chain").isNull();
        assertThat(defaultOf.apply("${A,B:both unset}")).as("composite names").isEqualTo("both unset");
        assertThat(defaultOf.apply("${A:line one\nline two}")).isEqualTo("line one\nline two");
        assertThat(defaultOf.apply("${A}")).isNull();
    }

    @Test
    void keycloaksOwnSettingsOfTheComponentAreSettledToo() {
        Map<String, List<String>> settings = settings("enabled", "${REPLICA_ENABLED:true}");

        RealmFilePlaceholders.Outcome outcome = RealmFilePlaceholders.settle(settings, ReplicaConfigProperties::label);

        assertThat(settings).containsEntry("enabled", List.of("true"));
        assertThat(outcome.notice()).startsWith("enabled (${REPLICA_ENABLED:...}) was a placeholder and now holds its default");
    }

    /**
     * The sample realm's replica component, as admin REST and the console's realm file upload pass it (its
     * placeholders as written), settles to a component that validates: the values a start-up import
     * without any REPLICA_* variable gives it.
     */
    @Test
    void theSampleRealmsComponentTakenAsWrittenSettlesToAValidConfiguration() throws IOException {
        JsonNode component = new ObjectMapper().readTree(SAMPLE_REALM.toFile())
                .at("/components/org.keycloak.storage.UserStorageProvider/0");
        assertThat(component.get("providerId").asText()).isEqualTo(ReplicaComponents.PROVIDER_ID);
        ComponentModel model = new ComponentModel();
        MultivaluedHashMap<String, String> config = new MultivaluedHashMap<>();
        component.get("config").properties().forEach(setting -> setting.getValue().forEach(value -> config.add(setting.getKey(), value.asText())));
        model.setConfig(config);

        RealmFilePlaceholders.Outcome outcome = RealmFilePlaceholders.settle(model.getConfig(), ReplicaConfigProperties::label);

        assertThat(outcome.refusal()).isNull();
        assertThat(outcome.defaulted()).isNotEmpty();
        model.getConfig().values().forEach(values -> assertThat(values).noneMatch(v -> v.contains("${")));
        ReplicaConfig settled = ReplicaConfig.of(model);
        assertThat(ConsumerSettings.problems(settled)).isEmpty();
        assertThat(settled.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(settled.topicPrefix()).isEqualTo("acme");
        assertThat(settled.consumerGroup()).isEqualTo("replica-site-1");
        assertThat(settled.upstreamName()).isEqualTo("the HQ Keycloak");
        assertThat(settled.writePath()).as("no write path: credential changes refused").isNull();
    }
}
