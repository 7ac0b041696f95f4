package io.github.keycloakreplica.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadLetterRetentionTest {

    @Test
    void blankSettingsMeanTheDefaults() {
        assertThat(DeadLetterRetention.parse(null, " ")).isEqualTo(new DeadLetterRetention(Duration.ofDays(30), 10_000));
    }

    @Test
    void settingsWithinTheirRangesAreTaken() {
        assertThat(DeadLetterRetention.parse(" 7 ", "250")).isEqualTo(new DeadLetterRetention(Duration.ofDays(7), 250));
    }

    @Test
    void settingsOutsideTheirRangesAreRefusedNamingTheSettingAndTheRange() {
        assertThatThrownBy(() -> DeadLetterRetention.parse("0", null))
                .hasMessage("Dead-letter retention (days) must be from 1 to 3650, was 0.");
        assertThatThrownBy(() -> DeadLetterRetention.parse(null, "99999999"))
                .hasMessage("Dead letters kept at most must be from 100 to 1000000, was 99999999.");
        assertThatThrownBy(() -> DeadLetterRetention.parse("a week", null))
                .hasMessage("Dead-letter retention (days) must be a whole number from 1 to 3650.");
    }
}
