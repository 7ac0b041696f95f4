package io.github.keycloakreplica.publisher;

import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherConfigPropertiesTest {

    @Test
    void theConsoleShowsEverySettingWithALabelAndAHelpText() {
        assertThat(PublisherConfigProperties.LIST).extracting(ProviderConfigProperty::getName).containsExactly(
                "enabled", "bootstrapServers", "topicPrefix", "heartbeatIntervalSeconds", "reconcileIntervalSeconds", "topicPartitions",
                "source", "kafkaProperties", "kafkaSecretProperties");
        assertThat(PublisherConfigProperties.LIST).allSatisfy(p -> {
            assertThat(p.getLabel()).as(p.getName()).isNotBlank();
            assertThat(p.getHelpText()).as(p.getName()).hasSizeGreaterThan(60);
        });
    }

    @Test
    void eachNumbersHelpTextGivesItsRangeAndItsDefaultIsTheOneUsed() {
        Map<String, List<String>> ranges = Map.of(
                PublisherConfig.HEARTBEAT_INTERVAL, List.of("From 1 to 300", "5"),
                PublisherConfig.RECONCILE_INTERVAL, List.of("From 10 to 86,400", "300"),
                PublisherConfig.TOPIC_PARTITIONS, List.of("From 1 to 1,000", "3"));
        ranges.forEach((name, expected) -> {
            ProviderConfigProperty property = property(name);
            assertThat(property.getHelpText()).as(name).contains(expected.get(0));
            assertThat(property.getDefaultValue()).as(name).isEqualTo(expected.get(1));
        });
        PublisherConfig defaults = PublisherConfig.of(Map.of(), "acme");
        assertThat(property(PublisherConfig.HEARTBEAT_INTERVAL).getDefaultValue()).isEqualTo(String.valueOf(defaults.heartbeatInterval().toSeconds()));
        assertThat(property(PublisherConfig.RECONCILE_INTERVAL).getDefaultValue()).isEqualTo(String.valueOf(defaults.reconcileInterval().toSeconds()));
        assertThat(property(PublisherConfig.TOPIC_PARTITIONS).getDefaultValue()).isEqualTo(String.valueOf(defaults.topicPartitions()));
        assertThat(property(PublisherConfig.ENABLED).getDefaultValue()).isEqualTo("true");
        assertThat(property(PublisherConfig.SOURCE).getHelpText()).contains("keycloak://primary/realms/<realm name>");
    }

    @Test
    void onlyTheSecretKafkaPropertiesAreSecretAndTheRequiredOnesSaySo() {
        assertThat(PublisherConfigProperties.LIST).filteredOn(ProviderConfigProperty::isSecret)
                .extracting(ProviderConfigProperty::getName).containsExactly(PublisherConfig.KAFKA_SECRET_PROPERTIES);
        assertThat(PublisherConfigProperties.LIST).filteredOn(ProviderConfigProperty::isRequired)
                .extracting(ProviderConfigProperty::getName).containsExactly(PublisherConfig.BOOTSTRAP_SERVERS, PublisherConfig.TOPIC_PREFIX);
        assertThat(property(PublisherConfig.ENABLED).getType()).isEqualTo(ProviderConfigProperty.BOOLEAN_TYPE);
        assertThat(property(PublisherConfig.KAFKA_PROPERTIES).getType()).isEqualTo(ProviderConfigProperty.TEXT_TYPE);
    }

    @Test
    void labelsNameSettingsInMessages() {
        assertThat(PublisherConfigProperties.label(PublisherConfig.HEARTBEAT_INTERVAL)).isEqualTo("Heartbeat interval (seconds)");
        assertThat(PublisherConfigProperties.label("unknown")).isEqualTo("unknown");
    }

    private static ProviderConfigProperty property(String name) {
        return PublisherConfigProperties.LIST.stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
    }
}
