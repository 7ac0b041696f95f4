package io.github.keycloakreplica.protocol;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class VersionRuleTest {

    @ParameterizedTest(name = "stored {0}, incoming {1} -> {2}")
    @CsvSource({
            // v = s + 1: apply
            "0, 1, APPLY",
            "6, 7, APPLY",
            // v <= s: stale or duplicate
            "7, 7, STALE",
            "7, 3, STALE",
            "1, 1, STALE",
            // v > s + 1: gap
            "0, 2, GAP",
            "3, 9, GAP"
    })
    void followsTheApplyTableOfTheStreamContract(long stored, long incoming, VersionRule.Verdict verdict) {
        assertThat(VersionRule.judge(stored, incoming)).isEqualTo(verdict);
    }
}
