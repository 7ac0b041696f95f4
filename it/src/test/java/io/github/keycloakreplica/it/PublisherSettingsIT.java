package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KafkaBroker;
import io.github.keycloakreplica.stack.KeycloakHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary realm's publisher is set up on the admin console's replica-publisher page, a component of
 * Keycloak's page type: the page is there with every setting and its help text, and what the settings check
 * refuses reaches the admin REST caller as a 400 naming every problem, whether the component is saved on its
 * own or with a new realm. The shared site's primary runs with Keycloak's declarative-ui feature (experimental in
 * 26.7, off by default); its replica, without it, shows what an operator meets who did not turn it on: the settings
 * work, the console page is not drawn. Every realm made here is removed after its test, so no relay of it outlives it.
 */
@ExtendWith(PrimaryStack.class)
class PublisherSettingsIT {

    private static final String PAGE_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";
    /** Realms of this test start with it, and only they are removed after each test. */
    private static final String REALM_PREFIX = "pubset";

    private static KafkaBroker broker;
    private static KeycloakHttp primary;
    private static KeycloakHttp withoutFeature;

    @BeforeAll
    static void servers(PrimarySite site) {
        broker = site.stack().broker();
        primary = site.primary();
        withoutFeature = site.replica();
    }

    @AfterEach
    void removeThisTestsRealms() {
        for (KeycloakHttp server : List.of(primary, withoutFeature)) {
            for (JsonNode realm : server.withToken(server.adminToken(), "GET", "/admin/realms", null).json()) {
                String name = realm.path("realm").asText();
                if (name.startsWith(REALM_PREFIX + "-")) {
                    KeycloakHttp.Response removed = server.admin("DELETE", name, null);
                    assertThat(removed.status()).as("removing " + name + ": " + removed).isEqualTo(204);
                }
            }
        }
    }

    @Test
    void thePageShowsEverySettingWithItsHelpText() {
        JsonNode pages = primary.withToken(primary.adminToken(), "GET", "/admin/serverinfo", null).json().at("/componentTypes/" + PAGE_TYPE);
        JsonNode page = null;
        for (JsonNode provider : pages) {
            if ("replica-publisher".equals(provider.path("id").asText())) {
                page = provider;
            }
        }
        assertThat(page).as("replica-publisher in " + pages).isNotNull();
        assertThat(page.get("helpText").asText()).contains("Kafka");
        List<String> names = new ArrayList<>();
        for (JsonNode property : page.get("properties")) {
            names.add(property.get("name").asText());
            assertThat(property.path("label").asText()).as(property.toString()).isNotBlank();
            assertThat(property.path("helpText").asText()).as(property.toString()).hasSizeGreaterThan(60);
        }
        assertThat(names).containsExactly("enabled", "bootstrapServers", "topicPrefix", "heartbeatIntervalSeconds",
                "reconcileIntervalSeconds", "topicPartitions", "source", "kafkaProperties", "kafkaSecretProperties");
    }

    @Test
    void badSettingsAreRefusedWithEveryProblemNamedAndNothingSaved() {
        String realm = newRealm();
        KeycloakHttp.Response refused = primary.admin("POST", realm + "/components", publisher(Map.of(
                "bootstrapServers", "kafka-1", "heartbeatIntervalSeconds", "0", "topicPartitions", "many",
                "kafkaProperties", "acks=1\ninterceptor.classes=com.example.Spy",
                "kafkaSecretProperties", "ssl.key.password=do-not-show-me\nretries=0")));

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.json().path("errorMessage").asText())
                .contains("Bootstrap server 'kafka-1' is not host:port.")
                .contains("Topic prefix: the topic prefix is empty.")
                .contains("Heartbeat interval (seconds) must be a whole number from 1 to 300, was '0'.")
                .contains("Topic partitions must be a whole number from 1 to 1,000, was 'many'.")
                .contains("Kafka client properties: 'acks' is set by the publisher itself")
                .contains("Kafka client properties: 'interceptor.classes' is not among the Kafka settings the publisher accepts")
                .contains("Kafka secret properties: 'retries' is not among the Kafka settings the publisher accepts");
        assertThat(refused.body()).doesNotContain("do-not-show-me");
        assertThat(pages(realm)).as("nothing was saved").isEmpty();
    }

    @Test
    void oneRealmHasOnePublisherWhoseSecretsAreNeverShownBackAndKeptOnSave() {
        String realm = newRealm();
        KeycloakHttp.Response created = primary.admin("POST", realm + "/components", publisher(Map.of(
                "bootstrapServers", broker.bootstrapServers(), "topicPrefix", realm,
                "kafkaSecretProperties", "ssl.key.password=do-not-show-me")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode stored = pages(realm).get(0);
        assertThat(stored.toString()).doesNotContain("do-not-show-me");
        assertThat(stored.at("/config/kafkaSecretProperties/0").asText()).isEqualTo("**********");

        // Saved again as the console sends it back (the secret masked), with a change: accepted, the secret kept.
        ObjectNode edited = (ObjectNode) stored;
        ((ObjectNode) edited.get("config")).putArray("heartbeatIntervalSeconds").add("2");
        KeycloakHttp.Response saved = primary.admin("PUT", realm + "/components/" + stored.get("id").asText(), edited);
        assertThat(saved.status()).as(saved.toString()).isEqualTo(204);
        assertThat(pages(realm).get(0).at("/config/heartbeatIntervalSeconds/0").asText()).isEqualTo("2");
        ((ObjectNode) edited.get("config")).putArray("topicPartitions").add("0");
        KeycloakHttp.Response badEdit = primary.admin("PUT", realm + "/components/" + stored.get("id").asText(), edited);
        assertThat(badEdit.status()).as(badEdit.toString()).isEqualTo(400);
        assertThat(badEdit.body()).contains("Topic partitions must be a whole number from 1 to 1,000, was '0'.");

        KeycloakHttp.Response second = primary.admin("POST", realm + "/components", publisher(Map.of(
                "bootstrapServers", broker.bootstrapServers(), "topicPrefix", realm + "-2")));
        assertThat(second.status()).as(second.toString()).isEqualTo(400);
        assertThat(second.body()).contains("Realm '" + realm + "' already has a publisher ('Replica publisher')");
    }

    @Test
    void aNewRealmsBadPublisherIsRefusedWithItsProblemsAndLeavesNoRealm() {
        String name = People.uniqueName(REALM_PREFIX + "import");
        ObjectNode realm = realmJson(name, publisher(Map.of("bootstrapServers", "kafka-1:9092", "topicPrefix", "acme",
                "reconcileIntervalSeconds", "5")));

        KeycloakHttp.Response refused = primary.admin("POST", "", realm);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body()).contains("Reconcile interval (seconds) must be a whole number from 10 to 86,400, was '5'.");
        assertThat(primary.admin("GET", name, null).status()).as("no half-made realm").isEqualTo(404);
    }

    @Test
    void aRealmFilesPlaceholdersTakeTheirDefaultsThroughAdminRest() {
        String name = People.uniqueName(REALM_PREFIX + "file");
        ObjectNode realm = realmJson(name, publisher(Map.of("bootstrapServers", "${PUBLISHER_KAFKA:kafka-1:9092}",
                "topicPrefix", "${PUBLISHER_TOPIC_PREFIX:acme}")));

        KeycloakHttp.Response created = primary.admin("POST", "", realm);

        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode stored = pages(name).get(0);
        assertThat(stored.at("/config/bootstrapServers/0").asText()).isEqualTo("kafka-1:9092");
        assertThat(stored.at("/config/topicPrefix/0").asText()).isEqualTo("acme");
    }

    @Test
    void withoutTheDeclarativeUiFeatureRealmJsonAndAdminRestStillSetUpThePublisherButTheConsoleShowsNoPage() {
        // The admin console draws a page's nav entry only with the feature on (PageNav.tsx); the server loads the
        // page type, and checks its settings, either way.
        assertThat(featureEnabled(primary, "DECLARATIVE_UI")).isTrue();
        assertThat(featureEnabled(withoutFeature, "DECLARATIVE_UI")).isFalse();
        JsonNode types = withoutFeature.withToken(withoutFeature.adminToken(), "GET", "/admin/serverinfo", null).json().get("componentTypes");
        assertThat(types.get(PAGE_TYPE).toString()).contains("replica-publisher");

        String name = People.uniqueName(REALM_PREFIX + "nofeature");
        KeycloakHttp.Response imported = withoutFeature.admin("POST", "", realmJson(name,
                publisher(Map.of("bootstrapServers", "kafka-1:9092", "topicPrefix", "acme"))));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        KeycloakHttp.Response refused = withoutFeature.admin("POST", name + "/components", publisher(Map.of(
                "bootstrapServers", "kafka-1:9092", "topicPrefix", "acme", "topicPartitions", "0")));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.body()).contains("Topic partitions must be a whole number from 1 to 1,000, was '0'.");
    }

    @Test
    void theConsoleNamesThePageAndListsItsPrefixFirst() {
        JsonNode page = null;
        for (JsonNode provider : primary.withToken(primary.adminToken(), "GET", "/admin/serverinfo", null).json()
                .at("/componentTypes/" + PAGE_TYPE)) {
            if ("replica-publisher".equals(provider.path("id").asText())) {
                page = provider;
            }
        }
        assertThat(page).isNotNull();
        assertThat(page.at("/metadata/displayFields").toString()).isEqualTo("[\"topicPrefix\",\"bootstrapServers\",\"enabled\"]");
        KeycloakHttp.Response messages = primary.withToken(primary.adminToken(), "GET", "/resources/master/admin/en", null);
        assertThat(messages.status()).as(messages.toString()).isEqualTo(200);
        assertThat(messages.body()).contains("Replica publisher");
    }

    private static boolean featureEnabled(KeycloakHttp server, String feature) {
        for (JsonNode f : server.withToken(server.adminToken(), "GET", "/admin/serverinfo", null).json().at("/features")) {
            if (feature.equals(f.path("name").asText())) {
                return f.path("enabled").asBoolean();
            }
        }
        throw new AssertionError("no feature " + feature + " in serverinfo");
    }

    private static String newRealm() {
        String name = People.uniqueName(REALM_PREFIX + "realm");
        KeycloakHttp.Response created = primary.admin("POST", "", Map.of("realm", name, "enabled", true));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return name;
    }

    private static JsonNode pages(String realm) {
        KeycloakHttp.Response r = primary.admin("GET", realm + "/components?type=" + PAGE_TYPE, null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static ObjectNode publisher(Map<String, String> config) {
        ObjectNode component = KeycloakHttp.JSON.createObjectNode();
        component.put("name", "Replica publisher");
        component.put("providerId", "replica-publisher");
        component.put("providerType", PAGE_TYPE);
        ObjectNode settings = component.putObject("config");
        config.forEach((key, value) -> settings.putArray(key).add(value));
        return component;
    }

    /** A realm as realm import JSON writes it, with the publisher among its components. */
    private static ObjectNode realmJson(String name, ObjectNode publisher) {
        ObjectNode realm = KeycloakHttp.JSON.createObjectNode();
        realm.put("realm", name);
        realm.put("enabled", true);
        publisher.remove("providerType");
        publisher.putObject("subComponents");
        ArrayNode pages = realm.putObject("components").putArray(PAGE_TYPE);
        pages.add(publisher);
        return realm;
    }
}
