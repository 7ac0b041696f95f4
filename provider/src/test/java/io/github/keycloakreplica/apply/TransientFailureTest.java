package io.github.keycloakreplica.apply;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

class TransientFailureTest {

    private static RuntimeException wrapped(Throwable cause) {
        return new RuntimeException("JDBC exception executing SQL", new IllegalStateException("wrapper", cause));
    }

    @Test
    void aDatabaseGoingAwayIsTransientWhereverItSitsInTheCauses() {
        assertThat(TransientFailure.isTransient(wrapped(new SQLException("terminating connection due to administrator command", "57P01")))).isTrue();
        assertThat(TransientFailure.isTransient(wrapped(new SQLException("This connection has been closed.", "08003")))).isTrue();
        assertThat(TransientFailure.isTransient(wrapped(new SQLTransientConnectionException("pool exhausted")))).isTrue();
        assertThat(TransientFailure.isTransient(new SQLException("deadlock detected", "40P01"))).isTrue();
        assertThat(TransientFailure.isTransient(new SQLException("Timeout trying to lock table", "HYT00"))).isTrue();
    }

    @Test
    void problemsOfTheStatementOrTheEventAreNot() {
        assertThat(TransientFailure.isTransient(wrapped(new SQLException("duplicate key value violates unique constraint", "23505")))).isFalse();
        assertThat(TransientFailure.isTransient(wrapped(new SQLException("value too long for type character varying(255)", "22001")))).isFalse();
        assertThat(TransientFailure.isTransient(new SQLException("General error", "HY000"))).isFalse();
        assertThat(TransientFailure.isTransient(new IllegalArgumentException("bad"))).isFalse();
        assertThat(TransientFailure.isTransient(new SQLException("no state"))).isFalse();
    }
}
