package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.stream.InvalidEventException;
import org.hibernate.exception.ConstraintViolationException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureTextTest {

    @Test
    void aDatabaseRefusalKeepsItsStateAndConstraintButNotTheRowItQuotes() {
        SQLException refused = new SQLIntegrityConstraintViolationException(
                "ERROR: duplicate key value violates unique constraint \"uk_ru8tt6t700s9v50bu18ws5ha6\"\n"
                        + "  Detail: Key (realm_id, email_constraint)=(acme, ada@example.com) already exists.", "23505");
        RuntimeException wrapped = new RuntimeException("could not execute statement",
                new ConstraintViolationException("could not execute statement [" + refused.getMessage() + "]",
                        refused, "uk_ru8tt6t700s9v50bu18ws5ha6"));

        String text = FailureText.of(wrapped);

        assertThat(text).isEqualTo("the database refused the statement (SQLIntegrityConstraintViolationException, SQLState 23505, "
                + "constraint uk_ru8tt6t700s9v50bu18ws5ha6)");
        assertThat(text).doesNotContain("ada@example.com").doesNotContain("acme");
    }

    @Test
    void aDatabaseThatIsAwayIsNamedAsSuch() {
        assertThat(FailureText.of(new RuntimeException(new SQLException("FATAL: terminating connection due to administrator "
                + "command", "57P01")))).isEqualTo("the database is unavailable or busy (SQLException, SQLState 57P01)");
    }

    @Test
    void ourOwnMessagesAreKeptBecauseTheyNeverQuoteValues() {
        assertThat(FailureText.of(new RuntimeException("wrapper", new EventRejectedException("credential type 'x' is not handled"))))
                .isEqualTo("credential type 'x' is not handled");
        assertThat(FailureText.of(new InvalidEventException("is empty"))).isEqualTo("is empty");
    }

    @Test
    void anyOtherFailureIsNamedByItsRootWithControlCharactersEscapedAndBounded() {
        String text = FailureText.of(new IllegalStateException("outer", new IllegalArgumentException("line one\nforged line\u0000" + "x".repeat(900))));

        assertThat(text).startsWith("IllegalArgumentException: line one\\u000Aforged line\\u0000x");
        assertThat(text).doesNotContain("\n").doesNotContain("\u0000");
        assertThat(text).hasSize(FailureText.MAX_LENGTH).endsWith("…");
    }

    @Test
    void aCauseLoopEnds() {
        RuntimeException looping = new RuntimeException("top") {
            @Override
            public synchronized Throwable getCause() {
                return this;
            }
        };
        assertThat(FailureText.of(looping)).contains("top");
        assertThat(FailureText.of(null)).isEqualTo("an unknown failure");
    }
}
