package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer of a replica component lives and dies with the component: created, reconfigured,
 * disabled, removed, or gone with its realm, all through the admin REST API an administrator uses.
 */
@ExtendWith(ReplicaStack.class)
class ComponentLifecycleIT {

    /** How long a stopped consumer gets to prove it is stopped: far above the replica's apply latency here. */
    private static final Duration QUIET = Duration.ofSeconds(4);

    private TestRealm realm;

    @BeforeEach
    void createRealm(ReplicaSite site) {
        realm = new TestRealm(site, "lifecycle");
    }

    @AfterEach
    void removeRealm() {
        realm.close();
    }

    @Test
    void aComponentsConsumerStartsChangesStopsAndGoesWithIt(ReplicaSite site) {
        KeycloakHttp.Response invalid = site.keycloak().admin("POST", realm.name + "/components", TestRealm.component(Map.of("topicPrefix", "x")));
        assertThat(invalid.status()).as(invalid.toString()).isEqualTo(400);
        assertThat(invalid.body()).contains("Bootstrap servers are required").contains("Consumer group is required");
        KeycloakHttp.Response malformed = site.keycloak().admin("POST", realm.name + "/components", TestRealm.component(Map.of(
                "bootstrapServers", "kafka-1", "topicPrefix", "x", "consumerGroup", "g")));
        assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        assertThat(malformed.body()).as("quoted as written").contains("Bootstrap server 'kafka-1' is not host:port.");

        Upstream first = realm.upstream(1);
        String componentId = realm.replicate(first, Map.of());
        // A second component in the same consumer group on the same topics would get some of the partitions.
        KeycloakHttp.Response clash = site.keycloak().admin("POST", realm.name + "/components", TestRealm.component(Map.of(
                "bootstrapServers", site.stack().broker().bootstrapServers(), "topicPrefix", first.topics().prefix(),
                "consumerGroup", realm.name)));
        assertThat(clash.status()).as(clash.toString()).isEqualTo(400);
        assertThat(clash.body()).contains("Consumer group '" + realm.name + "' already follows topics '" + first.topics().prefix());
        String one = publish(first);
        awaitUser(one);

        // Reconfigured: now it follows another prefix.
        Upstream second = realm.upstream(1);
        update(site, componentId, c -> c.putArray("topicPrefix").add(second.topics().prefix()));
        String two = publish(second);
        awaitUser(two);

        // Disabled: nothing is applied until it is enabled again.
        update(site, componentId, c -> c.putArray("enabled").add("false"));
        String three = publish(second);
        pause();
        assertThat(realm.user(three)).as("applied while disabled").isEmpty();
        update(site, componentId, c -> c.putArray("enabled").add("true"));
        awaitUser(three);

        // Removed: Keycloak removes its users, and nothing more is applied.
        assertThat(site.keycloak().admin("DELETE", realm.name + "/components/" + componentId, null).status()).isEqualTo(204);
        Awaitility.await().atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.user(one).isEmpty() && realm.user(three).isEmpty());
        String four = publish(second);
        pause();
        assertThat(realm.user(four)).as("applied after removal").isEmpty();
    }

    @Test
    void removingTheRealmStopsItsConsumer(ReplicaSite site) {
        Upstream upstream = realm.upstream(1);
        realm.replicate(upstream, Map.of());
        awaitUser(publish(upstream));

        assertThat(site.keycloak().admin("DELETE", realm.name, null).status()).isEqualTo(204);

        String stopped = "replica 'hq' of realm '" + realm.name + "': stopped";
        Awaitility.await("consumer of the removed realm stopped").atMost(ReplicaSite.APPLY_TIMEOUT)
                .until(() -> Files.readString(site.server().logFile()).contains(stopped));
    }

    @Test
    void theAdminConsoleFormShowsEverySettingWithItsHelpText(ReplicaSite site) {
        JsonNode providers = site.keycloak().withToken(site.keycloak().adminToken(), "GET", "/admin/serverinfo", null)
                .json().at("/componentTypes/org.keycloak.storage.UserStorageProvider");
        JsonNode replica = null;
        for (JsonNode provider : providers) {
            if ("replica".equals(provider.path("id").asText())) {
                replica = provider;
            }
        }
        assertThat(replica).as("replica in " + providers).isNotNull();
        assertThat(replica.get("helpText").asText()).contains("Kafka");
        List<String> names = new ArrayList<>();
        for (JsonNode property : replica.get("properties")) {
            names.add(property.get("name").asText());
            assertThat(property.path("label").asText()).as(property.toString()).isNotBlank();
            assertThat(property.path("helpText").asText()).as(property.toString()).hasSizeGreaterThan(40);
        }
        assertThat(names).containsExactly("bootstrapServers", "topicPrefix", "consumerGroup", "upstreamName",
                "gapTimeoutSeconds", "accessCriticalAttributes", "gapSignInPolicy", "streamMayGrant", "passwordHashCostCeiling", "deadLetterRetentionDays",
                "deadLetterLimit", "severanceThresholdSeconds",
                "stabilizationWindowSeconds", "driftWindowSeconds", "writePathUrl", "writePathClientId", "writePathClientSecret",
                "writePathTimeoutSeconds", "kafkaProperties", "kafkaSecretProperties", "fullSyncPeriod");
    }

    @Test
    void kafkaSettingsThatLoadFilesOrClassesAreRefusedNamingTheKey(ReplicaSite site) {
        for (String line : List.of("config.providers=file", "interceptor.classes=org.example.Spy", "metric.reporters=org.example.Spy")) {
            String key = line.substring(0, line.indexOf('='));
            KeycloakHttp.Response refused = site.keycloak().admin("POST", realm.name + "/components", TestRealm.component(Map.of(
                    "bootstrapServers", site.stack().broker().bootstrapServers(), "topicPrefix", "refused", "consumerGroup", realm.name,
                    "kafkaProperties", line)));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.body()).as(line).contains("Kafka client properties: '" + key + "'");
        }
        JsonNode components = site.keycloak().admin("GET", realm.name + "/components?type=org.keycloak.storage.UserStorageProvider", null).json();
        assertThat(components).as("nothing was saved").isEmpty();
    }

    @Test
    void secretKafkaSettingsAreNeverShownBack(ReplicaSite site) {
        realm.replicate(realm.upstream(1), Map.of("kafkaSecretProperties", "ssl.key.password=do-not-show-me"));

        JsonNode stored = site.keycloak().admin("GET", realm.name + "/components/" + realm.componentId(), null).json();

        assertThat(stored.toString()).doesNotContain("do-not-show-me");
        assertThat(stored.at("/config/kafkaSecretProperties/0").asText()).isEqualTo("**********");
    }

    private static String publish(Upstream upstream) {
        String username = People.uniqueName("lc");
        upstream.upsert(UUID.randomUUID().toString(), Map.of("username", username, "enabled", true));
        return username;
    }

    private void update(ReplicaSite site, String componentId, Consumer<ObjectNode> change) {
        ObjectNode component = (ObjectNode) site.keycloak().admin("GET", realm.name + "/components/" + componentId, null).json();
        change.accept((ObjectNode) component.get("config"));
        KeycloakHttp.Response updated = site.keycloak().admin("PUT", realm.name + "/components/" + componentId, component);
        assertThat(updated.status()).as(updated.toString()).isEqualTo(204);
    }

    private void awaitUser(String username) {
        realm.awaitUser(username, u -> true);
    }

    private static void pause() {
        try {
            Thread.sleep(QUIET.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
