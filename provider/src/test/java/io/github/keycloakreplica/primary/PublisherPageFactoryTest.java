package io.github.keycloakreplica.primary;

import io.github.keycloakreplica.config.SettingsRefusedException;
import io.github.keycloakreplica.publisher.PublisherComponents;
import io.github.keycloakreplica.publisher.PublisherConfig;
import io.github.keycloakreplica.publisher.PublisherConfigProperties;
import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;
import org.keycloak.services.ui.extend.UiPageProviderFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublisherPageFactoryTest {

    private final PublisherPageFactory factory = new PublisherPageFactory();
    private final List<ComponentModel> stored = new ArrayList<>();
    private final RealmModel realm = (RealmModel) Proxy.newProxyInstance(RealmModel.class.getClassLoader(), new Class<?>[]{RealmModel.class},
            (proxy, method, args) -> switch (method.getName()) {
                case "getId" -> "realm-id";
                case "getName" -> "acme";
                case "getComponentsStream" -> stored.stream().filter(c -> c.getParentId().equals(args[0]) && c.getProviderType().equals(args[1]));
                default -> throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void itIsTheAdminConsolesPageOfThePublisher() throws IOException {
        assertThat(factory).isInstanceOf(UiPageProvider.class).isInstanceOf(UiPageProviderFactory.class);
        assertThat(factory.getId()).isEqualTo("replica-publisher");
        assertThat(factory.create(null)).isSameAs(factory);
        assertThat(factory.getHelpText()).contains("Kafka").contains("replicas");
        assertThat(factory.getConfigProperties()).isSameAs(PublisherConfigProperties.LIST);
        try (InputStream services = getClass().getResourceAsStream("/META-INF/services/" + UiPageProviderFactory.class.getName())) {
            assertThat(services).as("service file named after Keycloak's UiPageSpi factory class").isNotNull();
            assertThat(new String(services.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim))
                    .contains(PublisherPageFactory.class.getName());
        }
    }

    @Test
    void thePagesListShowsThePrefixFirstAndItsTitleHasAName() throws IOException {
        assertThat(factory.getTypeMetadata()).containsEntry(PublisherPageFactory.DISPLAY_FIELDS,
                List.of(PublisherConfig.TOPIC_PREFIX, PublisherConfig.BOOTSTRAP_SERVERS, PublisherConfig.ENABLED));
        assertThat(PublisherConfigProperties.LIST).extracting(p -> (Object) p.getName()).containsAll(
                (List<?>) factory.getTypeMetadata().get(PublisherPageFactory.DISPLAY_FIELDS));
        // The console titles the page t(providerId): the provider's theme resources give that key a name.
        try (InputStream messages = getClass().getResourceAsStream("/theme-resources/messages/messages_en.properties")) {
            assertThat(messages).isNotNull();
            Properties keys = new Properties();
            keys.load(messages);
            assertThat(keys).containsEntry(PublisherPageFactory.PROVIDER_ID, "Replica publisher");
        }
    }

    @Test
    void validSettingsAreSaved() {
        assertThatCode(() -> factory.validateConfiguration(null, realm, model("kafka-1:9092", "acme", "linger.ms=20", "ssl.key.password=s3cret")))
                .doesNotThrowAnyException();
    }

    @Test
    void everyProblemIsSaidAtOnceNamingSettingsByTheirLabelsAndNoSecret() {
        ComponentModel model = model("kafka-1", null, "acks=1\ninterceptor.classes=com.example.Spy", "ssl.key.password=s3cret\nretries=0");
        model.put(PublisherConfig.HEARTBEAT_INTERVAL, "0");
        model.put(PublisherConfig.TOPIC_PARTITIONS, "many");

        assertThatThrownBy(() -> factory.validateConfiguration(null, realm, model))
                .isInstanceOf(SettingsRefusedException.class)
                .hasMessageContaining("Bootstrap server 'kafka-1' is not host:port.")
                .hasMessageContaining("Topic prefix: the topic prefix is empty.")
                .hasMessageContaining("Heartbeat interval (seconds) must be a whole number from 1 to 300, was '0'.")
                .hasMessageContaining("Topic partitions must be a whole number from 1 to 1,000, was 'many'.")
                .hasMessageContaining("Kafka client properties: 'acks' is set by the publisher itself")
                .hasMessageContaining("Kafka client properties: 'interceptor.classes' is not among the Kafka settings the publisher accepts")
                .hasMessageContaining("Kafka secret properties: 'retries' is not among the Kafka settings the publisher accepts")
                .message().doesNotContain("s3cret");
    }

    @Test
    void aRealmFilesPlaceholderTakesItsDefaultAndOneWithoutADefaultIsRefused() {
        ComponentModel defaulted = model("${PUBLISHER_KAFKA:kafka-1:9092}", "${PUBLISHER_TOPIC_PREFIX:acme}", null, null);

        factory.validateConfiguration(null, realm, defaulted);

        assertThat(defaulted.get(PublisherConfig.BOOTSTRAP_SERVERS)).isEqualTo("kafka-1:9092");
        assertThat(defaulted.get(PublisherConfig.TOPIC_PREFIX)).isEqualTo("acme");
        assertThatThrownBy(() -> factory.validateConfiguration(null, realm, model("${PUBLISHER_KAFKA}", "acme", null, null)))
                .isInstanceOf(SettingsRefusedException.class)
                .hasMessageStartingWith("Bootstrap servers (${PUBLISHER_KAFKA}) is a placeholder without a default");
    }

    @Test
    void aRealmHasOnePublisherWhoseOwnSettingsMayChange() {
        ComponentModel first = model("kafka-1:9092", "acme", null, null);
        first.setId("first");
        first.setName("Replica publisher");
        stored.add(first);

        assertThatCode(() -> factory.validateConfiguration(null, realm, first)).as("saving the one there is").doesNotThrowAnyException();
        ComponentModel second = model("kafka-2:9092", "other", null, null);
        second.put(PublisherConfig.ENABLED, "false");
        assertThatThrownBy(() -> factory.validateConfiguration(null, realm, second))
                .isInstanceOf(SettingsRefusedException.class)
                .hasMessage("Realm 'acme' already has a publisher ('Replica publisher'): a realm publishes its streams through one, so "
                        + "that each person's versions go up one at a time. Change that one's settings, or remove it first.");
    }

    private static ComponentModel model(String bootstrap, String prefix, String properties, String secrets) {
        ComponentModel model = new ComponentModel();
        model.setName("Replica publisher");
        model.setParentId("realm-id");
        model.setProviderId(PublisherComponents.PROVIDER_ID);
        model.setProviderType(PublisherComponents.PROVIDER_TYPE);
        if (bootstrap != null) {
            model.put(PublisherConfig.BOOTSTRAP_SERVERS, bootstrap);
        }
        if (prefix != null) {
            model.put(PublisherConfig.TOPIC_PREFIX, prefix);
        }
        if (properties != null) {
            model.put(PublisherConfig.KAFKA_PROPERTIES, properties);
        }
        if (secrets != null) {
            model.put(PublisherConfig.KAFKA_SECRET_PROPERTIES, secrets);
        }
        return model;
    }
}
