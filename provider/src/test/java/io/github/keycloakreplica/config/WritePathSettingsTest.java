package io.github.keycloakreplica.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

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
    void credentialsInTheUrlAreRefusedAndNeverShownBack() {
        for (String url : List.of("https://site-a:hunter2@hq.example.com/w", "https://site-a@hq.example.com/w",
                "https://site-a:hunt@r2@hq.example.com/w", "http://site-a:hunter2@localhost:8080/w", "ftp://site-a:hunter2@hq/w")) {
            assertThatThrownBy(() -> WritePathSettings.parse(url, "site-a", "s3cret", null)).as(url)
                    .hasMessageContaining("must not carry a user name or password")
                    .hasMessageContaining("client id and secret")
                    .hasMessageNotContaining("hunter2").hasMessageNotContaining("hunt@r2");
        }
        assertThatThrownBy(() -> WritePathSettings.parse("https:site-a:hunter2@hq/w", "site-a", "s3cret", null))
                .hasMessageContaining("absolute https URL").hasMessageNotContaining("hunter2");
        assertThat(WritePathSettings.parse("https://hq.example.com/realms/acme/users/a@b", "site-a", "s3cret", null))
                .as("an @ in the path is no user info").isNotNull();
    }

    @Test
    void aFragmentIsRefused() {
        assertThatThrownBy(() -> WritePathSettings.parse("https://hq.example.com/w#credentials", "site-a", "s3cret", null))
                .hasMessageContaining("must not have a fragment");
    }

    @Test
    void aUrlWithABidiOverrideIsShownAsWritten() {
        assertThatThrownBy(() -> WritePathSettings.parse("gopher://hq/w\u202Ex", "site-a", "s3cret", null))
                .hasMessageContaining("absolute https URL, was 'gopher://hq/w\\u202Ex'");
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
