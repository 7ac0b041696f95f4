package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumer of a replica component lives and dies with the component: created, reconfigured,
 * disabled, removed, or gone with its realm, all through the admin REST API an administrator uses.
 */
@ExtendWith(ReplicaStack.class)
class ComponentLifecycleIT {

    /** How long a stopped consumer gets to prove it is stopped: far above the replica's apply latency here. */
    private static final Duration QUIET = Duration.ofSeconds(4);

    private final List<Upstream> upstreams = new ArrayList<>();
    private String realm;

    @BeforeEach
    void createRealm(ReplicaSite site) {
        realm = "lifecycle-" + UUID.randomUUID().toString().substring(0, 8);
        KeycloakHttp.Response created = site.keycloak().admin("POST", "", Map.of("realm", realm, "enabled", true));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
    }

    @AfterEach
    void closeUpstreams(ReplicaSite site) {
        upstreams.forEach(Upstream::close);
        site.keycloak().admin("DELETE", realm, null);
    }

    @Test
    void aComponentsConsumerStartsChangesStopsAndGoesWithIt(ReplicaSite site) {
        KeycloakHttp.Response invalid = site.keycloak().admin("POST", realm + "/components", component(Map.of("topicPrefix", "x")));
        assertThat(invalid.status()).as(invalid.toString()).isEqualTo(400);
        assertThat(invalid.body()).contains("Bootstrap servers are required").contains("Consumer group is required");

        Upstream first = upstream(site);
        KeycloakHttp.Response created = site.keycloak().admin("POST", realm + "/components", component(Map.of(
                "bootstrapServers", site.stack().broker().bootstrapServers(),
                "topicPrefix", first.topics().prefix(),
                "consumerGroup", "lifecycle")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String componentId = componentId(site);

        String one = publish(first);
        awaitUser(site, one);

        // Reconfigured: now it follows another prefix.
        Upstream second = upstream(site);
        update(site, componentId, c -> c.putArray("topicPrefix").add(second.topics().prefix()));
        String two = publish(second);
        awaitUser(site, two);

        // Disabled: nothing is applied until it is enabled again.
        update(site, componentId, c -> c.putArray("enabled").add("false"));
        String three = publish(second);
        pause();
        assertThat(user(site, three)).as("applied while disabled").isEmpty();
        update(site, componentId, c -> c.putArray("enabled").add("true"));
        awaitUser(site, three);

        // Removed: Keycloak removes its users, and nothing more is applied.
        assertThat(site.keycloak().admin("DELETE", realm + "/components/" + componentId, null).status()).isEqualTo(204);
        Awaitility.await().atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> user(site, one).isEmpty() && user(site, three).isEmpty());
        String four = publish(second);
        pause();
        assertThat(user(site, four)).as("applied after removal").isEmpty();
    }

    @Test
    void removingTheRealmStopsItsConsumer(ReplicaSite site) throws Exception {
        Upstream upstream = upstream(site);
        site.keycloak().admin("POST", realm + "/components", component(Map.of(
                "bootstrapServers", site.stack().broker().bootstrapServers(),
                "topicPrefix", upstream.topics().prefix(),
                "consumerGroup", "lifecycle")));
        awaitUser(site, publish(upstream));

        assertThat(site.keycloak().admin("DELETE", realm, null).status()).isEqualTo(204);

        String stopped = "replica 'hq' of realm '" + realm + "': stopped";
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
                "kafkaProperties", "kafkaSecretProperties");
    }

    @Test
    void secretKafkaSettingsAreNeverShownBack(ReplicaSite site) {
        Upstream upstream = upstream(site);
        ObjectNode component = component(Map.of(
                "bootstrapServers", site.stack().broker().bootstrapServers(),
                "topicPrefix", upstream.topics().prefix(),
                "consumerGroup", "lifecycle",
                "kafkaSecretProperties", "ssl.key.password=do-not-show-me"));
        assertThat(site.keycloak().admin("POST", realm + "/components", component).status()).isEqualTo(201);

        JsonNode stored = site.keycloak().admin("GET", realm + "/components/" + componentId(site), null).json();

        assertThat(stored.toString()).doesNotContain("do-not-show-me");
        assertThat(stored.at("/config/kafkaSecretProperties/0").asText()).isEqualTo("**********");
    }

    private Upstream upstream(ReplicaSite site) {
        Upstream upstream = new Upstream(site.stack().broker().bootstrapServers(), realm + "-" + upstreams.size(), ReplicaSite.SOURCE);
        upstream.createTopics(site.stack().broker(), 1);
        upstreams.add(upstream);
        return upstream;
    }

    private static String publish(Upstream upstream) {
        String username = ReplicationIT.uniqueName("lc");
        upstream.upsert(UUID.randomUUID().toString(), Map.of("username", username, "enabled", true));
        return username;
    }

    private ObjectNode component(Map<String, String> config) {
        ObjectNode component = KeycloakHttp.JSON.createObjectNode();
        component.put("name", "hq");
        component.put("providerId", "replica");
        component.put("providerType", "org.keycloak.storage.UserStorageProvider");
        ObjectNode node = component.putObject("config");
        config.forEach((k, v) -> node.putArray(k).add(v));
        return component;
    }

    private String componentId(ReplicaSite site) {
        JsonNode components = site.keycloak().admin("GET", realm + "/components?type=org.keycloak.storage.UserStorageProvider", null).json();
        return components.get(0).get("id").asText();
    }

    private void update(ReplicaSite site, String componentId, java.util.function.Consumer<ObjectNode> change) {
        ObjectNode component = (ObjectNode) site.keycloak().admin("GET", realm + "/components/" + componentId, null).json();
        change.accept((ObjectNode) component.get("config"));
        KeycloakHttp.Response updated = site.keycloak().admin("PUT", realm + "/components/" + componentId, component);
        assertThat(updated.status()).as(updated.toString()).isEqualTo(204);
    }

    private java.util.Optional<JsonNode> user(ReplicaSite site, String username) {
        JsonNode users = site.keycloak().admin("GET", realm + "/users?exact=true&username=" + username, null).json();
        return users instanceof ArrayNode array && !array.isEmpty() ? java.util.Optional.of(array.get(0)) : java.util.Optional.empty();
    }

    private void awaitUser(ReplicaSite site, String username) {
        Awaitility.await("user " + username + " in realm " + realm).atMost(ReplicaSite.APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> user(site, username).isPresent());
    }

    private static void pause() {
        try {
            Thread.sleep(QUIET.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
