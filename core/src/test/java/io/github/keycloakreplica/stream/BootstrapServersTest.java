package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BootstrapServersTest {

    @Test
    void hostPortListsHaveNoProblems() {
        assertThat(BootstrapServers.problemsWith("kafka-1:9092, kafka-2:9093,[::1]:9094")).isEmpty();
    }

    @Test
    void aMissingSettingSaysWhatItTakes() {
        assertThat(BootstrapServers.problemsWith(null))
                .containsExactly("Bootstrap servers are required: host:port of one or more Kafka brokers, comma-separated.");
        assertThat(BootstrapServers.problemsWith("")).hasSize(1);
    }

    @Test
    void eachServerThatIsNotHostPortIsNamedEscaped() {
        assertThat(BootstrapServers.problemsWith("kafka-1,:9092,kafka-3:,kafka-4:x9,ok:1"))
                .containsExactly("Bootstrap server 'kafka-1' is not host:port.", "Bootstrap server ':9092' is not host:port.",
                        "Bootstrap server 'kafka-3:' is not host:port.", "Bootstrap server 'kafka-4:x9' is not host:port.");
        assertThat(BootstrapServers.problemsWith("kafka-1:9092\nERROR forged,k:1"))
                .containsExactly("Bootstrap server 'kafka-1:9092\\u000AERROR forged' is not host:port.");
    }

    @Test
    void brokersCompareWithoutCaseOrderOrBlanks() {
        assertThat(BootstrapServers.brokers(" Kafka-1:9092 ,kafka-2:9093,")).containsExactlyInAnyOrder("kafka-1:9092", "kafka-2:9093");
        assertThat(BootstrapServers.brokers("kafka-2:9093,KAFKA-1:9092")).isEqualTo(BootstrapServers.brokers("kafka-1:9092,kafka-2:9093"));
        assertThat(BootstrapServers.brokers(null)).isEmpty();
    }
}
