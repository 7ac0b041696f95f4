package io.github.keycloakreplica.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaPropertyAllowlistTest {

    private static final Map<String, ConfigDef.ConfigKey> KAFKA = ConsumerConfig.configDef().configKeys();

    @Test
    void everyAcceptedKeyIsAConsumerSettingOfTheKafkaClientWeShip() {
        assertThat(KafkaPropertyAllowlist.ACCEPTED).allSatisfy(key -> assertThat(KAFKA).as(key).containsKey(key));
    }

    @Test
    void noAcceptedKeyTakesAClassName() {
        assertThat(KafkaPropertyAllowlist.ACCEPTED)
                .allSatisfy(key -> assertThat(KAFKA.get(key).type).as(key).isNotEqualTo(ConfigDef.Type.CLASS))
                .noneMatch(key -> key.endsWith(".class") || key.endsWith(".classes"));
        assertThat(KAFKA.values()).filteredOn(k -> k.type == ConfigDef.Type.CLASS)
                .allSatisfy(k -> assertThat(KafkaPropertyAllowlist.refusal(k.name)).as(k.name).contains("Java classes"));
    }

    @Test
    void theKeysTheReplicaSetsItselfAreNotAccepted() {
        assertThat(KafkaPropertyAllowlist.RESERVED_KAFKA_KEYS).noneMatch(KafkaPropertyAllowlist::accepts);
        assertThat(KafkaPropertyAllowlist.accepts(ConsumerConfig.CLIENT_ID_CONFIG)).isFalse();
    }

    @Test
    void everyKafkaSettingIsEitherAcceptedOrRefusedWithAReason() {
        for (String key : KAFKA.keySet()) {
            assertThat(KafkaPropertyAllowlist.accepts(key) ^ KafkaPropertyAllowlist.refusal(key) != null).as(key).isTrue();
        }
    }

    @Test
    void everyAcceptedKeyTakesKafkasDefaultAsAValue() {
        // The bounds of our own must leave Kafka's defaults valid, or a site that writes the default down is refused.
        for (String key : KafkaPropertyAllowlist.ACCEPTED) {
            ConfigDef.ConfigKey definition = KAFKA.get(key);
            if (definition.hasDefault() && definition.defaultValue != null && definition.type != ConfigDef.Type.PASSWORD) {
                String text = definition.defaultValue instanceof List<?> list
                        ? String.join(",", list.stream().map(String::valueOf).toList()) : String.valueOf(definition.defaultValue);
                assertThat(KafkaPropertyAllowlist.valueProblem(key, text)).as(key + "=" + text).isNull();
            }
        }
    }

    @Test
    void aStoredSettingOutsideTheAllowlistIsLeftOutByName() {
        Properties given = new Properties();
        given.setProperty("max.poll.records", "200");
        given.setProperty("interceptor.classes", "com.example.Spy");
        given.setProperty("config.providers", "file");
        List<String> leftOut = new ArrayList<>();

        Properties accepted = KafkaPropertyAllowlist.accepted(given, leftOut::add);

        assertThat(accepted).containsOnlyKeys("max.poll.records");
        assertThat(leftOut).containsExactlyInAnyOrder("interceptor.classes", "config.providers");
    }
}
