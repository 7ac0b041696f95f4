package io.github.keycloakreplica.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FullSyncPeriodTest {

    @Test
    void aBlankFieldIsNoPeriodicSync() {
        assertThat(FullSyncPeriod.normalized(null)).isEqualTo("-1");
        assertThat(FullSyncPeriod.normalized("  ")).isEqualTo("-1");
        assertThat(FullSyncPeriod.normalized(" 86400 ")).isEqualTo("86400");
        assertThat(FullSyncPeriod.problem("")).isEmpty();
    }

    @Test
    void wholeSecondsAndMinusOneAreWhatKeycloakCanRead() {
        assertThat(FullSyncPeriod.problem("-1")).isEmpty();
        assertThat(FullSyncPeriod.problem("0")).isEmpty();
        assertThat(FullSyncPeriod.problem(" 604800 ")).isEmpty();
    }

    @Test
    void anythingElseIsRefusedWithTheValue() {
        assertThat(FullSyncPeriod.problem("daily")).contains("Periodic full sync must be a whole number of seconds, or -1 for none; was 'daily'.");
        assertThat(FullSyncPeriod.problem("-5")).contains("Periodic full sync must be a whole number of seconds, or -1 for none; was '-5'.");
        assertThat(FullSyncPeriod.problem("1.5")).isPresent();
        assertThat(FullSyncPeriod.problem("99999999999")).as("beyond Keycloak's int").isPresent();
        assertThat(FullSyncPeriod.problem("1\nERROR forged")).get().asString().contains("1\\u000AERROR forged");
    }
}
