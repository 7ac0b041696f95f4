package io.github.keycloakreplica.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RepeatedFailureTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aFailureOnEveryAttemptForTenMinutesIsSaidOnceAndThenEveryFiveMinutes() {
        RepeatedFailure failure = new RepeatedFailure();
        List<RepeatedFailure.Run> said = new ArrayList<>();

        // An attempt every half second, as the link watcher's.
        for (long millis = 0; millis < Duration.ofMinutes(10).toMillis(); millis += 500) {
            failure.failed(T0.plusMillis(millis)).ifPresent(said::add);
        }

        assertThat(said).hasSize(2);
        assertThat(said.get(0).first()).isTrue();
        assertThat(said.get(0).sofar(T0)).isEmpty();
        assertThat(said.get(1).first()).isFalse();
        assertThat(said.get(1).since()).isEqualTo(T0);
        assertThat(said.get(1).failures()).isEqualTo(601);
        assertThat(said.get(1).sofar(T0.plus(RepeatedFailure.REMINDER))).isEqualTo(" (still failing after 5 min, 601 attempts)");
    }

    @Test
    void theEndOfARunIsToldOnceAndTheNextFailureBeginsANewOne() {
        RepeatedFailure failure = new RepeatedFailure(Duration.ofMinutes(5));
        assertThat(failure.succeeded()).isEmpty();
        failure.failed(T0);
        failure.failed(T0.plusSeconds(1));

        assertThat(failure.succeeded()).hasValueSatisfying(run -> {
            assertThat(run.failures()).isEqualTo(2);
            assertThat(run.lasting(T0.plusSeconds(3))).isEqualTo(Duration.ofSeconds(3));
        });
        assertThat(failure.succeeded()).isEmpty();
        assertThat(failure.failed(T0.plusSeconds(10))).hasValueSatisfying(run -> assertThat(run.first()).isTrue());
    }

    @Test
    void durationsReadAsSecondsMinutesOrHours() {
        assertThat(Durations.words(Duration.ofMillis(45_900))).isEqualTo("45 s");
        assertThat(Durations.words(Duration.ofSeconds(119))).isEqualTo("119 s");
        assertThat(Durations.words(Duration.ofMinutes(12).plusSeconds(30))).isEqualTo("12 min");
        assertThat(Durations.words(Duration.ofMinutes(185))).isEqualTo("3 h 5 min");
        assertThat(Durations.words(Duration.ofSeconds(-3))).isEqualTo("0 s");
    }
}
