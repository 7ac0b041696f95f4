package io.github.keycloakreplica.kafka;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.logging.Level;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClientLoggingTest {

    // Held, because JUL holds loggers weakly and a collected one forgets its level.
    private final Logger kafka = Logger.getLogger("org.apache.kafka");
    private final Logger apache = Logger.getLogger("org.apache");
    private final Logger networkClient = Logger.getLogger("org.apache.kafka.clients.NetworkClient");
    private final Logger consumer = Logger.getLogger("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator");

    @AfterEach
    void giveTheLevelsBack() {
        KafkaClientLogging.release();
        for (Logger logger : new Logger[]{kafka, apache, networkClient, consumer}) {
            logger.setLevel(null);
        }
    }

    @Test
    void withoutAnOperatorsLevelKafkaSaysOnlyWarningsAndItsNetworkClientOnlyErrors() {
        assertThat(KafkaClientLogging.quietUnlessConfigured()).hasValueSatisfying(line -> assertThat(line)
                .contains("org.apache.kafka: WARN").contains("log-level=INFO,org.apache.kafka:INFO"));

        assertThat(kafka.getLevel()).isEqualTo(Level.WARNING);
        assertThat(networkClient.getLevel()).isEqualTo(Level.SEVERE);
        assertThat(consumer.isLoggable(Level.INFO)).isFalse();
        assertThat(consumer.isLoggable(Level.WARNING)).isTrue();
        assertThat(networkClient.isLoggable(Level.WARNING)).isFalse();
        assertThat(networkClient.isLoggable(Level.SEVERE)).isTrue();
        // Once: a second replica runtime (a re-deployed provider) says nothing new.
        assertThat(KafkaClientLogging.quietUnlessConfigured()).isEmpty();
    }

    @Test
    void anOperatorsLevelForKafkaOrAnyOfItsCategoriesOrAboveIsLeftAsItIs() {
        for (Logger set : new Logger[]{kafka, networkClient, apache}) {
            set.setLevel(Level.FINE);

            assertThat(KafkaClientLogging.quietUnlessConfigured()).as(set.getName()).isEmpty();
            assertThat(set.getLevel()).isEqualTo(Level.FINE);
            for (Logger other : new Logger[]{kafka, networkClient, apache}) {
                if (other != set) {
                    assertThat(other.getLevel()).as(other.getName()).isNull();
                }
            }
            set.setLevel(null);
        }
    }
}
