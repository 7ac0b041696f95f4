package io.github.keycloakreplica.apply;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ApplyStallTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aStallKeepsWhenItBeganAndNamesWhereItIsNow() {
        ApplyStall stall = new ApplyStall();
        assertThat(stall.current()).isEmpty();
        assertThat(stall.seconds(T0)).isZero();

        ApplyStall.Stalled first = stall.failed("replica.identity/0@41", "the database refused the statement (PSQLException, SQLState 08006)", T0);
        ApplyStall.Stalled later = stall.failed("replica.identity/0@41", "the database refused the statement (PSQLException, SQLState 08001)",
                T0.plusSeconds(30));

        assertThat(first.attempts()).isEqualTo(1);
        assertThat(later.attempts()).isEqualTo(2);
        assertThat(later.since()).isEqualTo(T0);
        assertThat(later.cause()).contains("08001");
        assertThat(stall.seconds(T0.plusSeconds(45))).isEqualTo(45.0);
        assertThat(later.toString()).isEqualTo("apply stalled since 2026-12-07T10:00:00Z at replica.identity/0@41: "
                + "the database refused the statement (PSQLException, SQLState 08001)");
    }

    @Test
    void recoveringEndsTheStallOnce() {
        ApplyStall stall = new ApplyStall();
        stall.failed("maintenance", "LockTimeoutException", T0);

        assertThat(stall.recovered()).hasValueSatisfying(s -> assertThat(s.at()).isEqualTo("maintenance"));
        assertThat(stall.recovered()).isEmpty();
        assertThat(stall.current()).isEmpty();
        assertThat(stall.failed("x", "y", T0.plusSeconds(5)).attempts()).isEqualTo(1);
    }
}
