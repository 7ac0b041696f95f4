package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaPropertiesTextTest {

    @Test
    void oneKeyValuePerLineAsKafkaDocumentsThem() {
        assertThat(KafkaPropertiesText.parse("security.protocol=SASL_SSL\n# a comment\nlinger.ms = 5\n\n", "Kafka client properties"))
                .containsOnlyKeys("security.protocol", "linger.ms")
                .containsEntry("linger.ms", "5");
    }

    @Test
    void nothingGivenIsNoSettings() {
        assertThat(KafkaPropertiesText.parse(null, "x")).isEmpty();
        assertThat(KafkaPropertiesText.parse("  \n ", "x")).isEmpty();
    }

    @Test
    void unreadableTextIsRefusedNamingTheFieldWithoutQuotingIt() {
        assertThatThrownBy(() -> KafkaPropertiesText.parse("ssl.key.password=s3cret\\u12", "Kafka secret properties"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Kafka secret properties are not in Java properties format: ")
                .message().doesNotContain("s3cret");
    }
}
