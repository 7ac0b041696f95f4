package io.github.keycloakreplica.replica;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WritePathSettingsTest {

    @Test
    void noUrlMeansNoWritePath() {
        assertThat(WritePathSettings.parse(null, "site-a", "s3cret", null)).isNull();
        assertThat(WritePathSettings.parse("  ", null, null, null)).isNull();
    }

    @Test
    void httpsWithAClientIsAWritePath() {
        WritePathSettings settings = WritePathSettings.parse(" https://hq.example.com/realms/acme/replica/credentials ", "site-a", "s3cret", "5");

        assertThat(settings.url().toString()).isEqualTo("https://hq.example.com/realms/acme/replica/credentials");
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.toString()).doesNotContain("s3cret");
        assertThat(WritePathSettings.parse("https://hq.example.com/w", "site-a", "s3cret", null).timeout())
                .isEqualTo(WritePathSettings.DEFAULT_TIMEOUT);
    }

    @Test
    void passwordsNeverTravelInPlainHttpExceptToThisMachine() {
        assertThatThrownBy(() -> WritePathSettings.parse("http://hq.example.com/w", "site-a", "s3cret", null))
                .hasMessageContaining("must use https");
        assertThat(WritePathSettings.parse("http://127.0.0.1:8080/w", "site-a", "s3cret", null)).isNotNull();
        assertThat(WritePathSettings.parse("http://localhost:8080/w", "site-a", "s3cret", null)).isNotNull();
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> WritePathSettings.parse("ftp://hq/w", "", null, "600"))
                .hasMessageContaining("absolute https URL, was 'ftp://hq/w'")
                .hasMessageContaining("client id is required")
                .hasMessageContaining("client secret is required")
                .hasMessageContaining("between 1 and 60 seconds, was 600");
        assertThatThrownBy(() -> WritePathSettings.parse("https://hq/w", "site-a", "s3cret", "ten"))
                .hasMessageContaining("whole number of seconds, was 'ten'");
    }
}
