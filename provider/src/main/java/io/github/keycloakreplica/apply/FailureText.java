package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.LogSafe;
import org.hibernate.exception.ConstraintViolationException;

import java.sql.SQLException;

/**
 * A failure in words safe to keep where people read them: a dead letter's reason, an operation's last
 * error, the stall line. A database's own message quotes the row it refused ("Key (email)=(…) already
 * exists"), which may be another person's data, so for anything the database said only its SQLState
 * and the constraint's name are kept. Our own exceptions are written not to quote values and keep
 * their message.
 */
public final class FailureText {

    static final int MAX_LENGTH = 500;

    private FailureText() {
    }

    public static String of(Throwable failure) {
        if (failure == null) {
            return "an unknown failure";
        }
        SQLException sql = null;
        String constraint = null;
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (sql == null && t instanceof SQLException e) {
                sql = e;
            }
            if (constraint == null && t instanceof ConstraintViolationException c) {
                constraint = c.getConstraintName();
            }
            if (t instanceof EventRejectedException || t instanceof InvalidEventException) {
                return bounded(t.getMessage());
            }
            root = t;
        }
        if (sql != null) {
            StringBuilder text = new StringBuilder(TransientFailure.isTransient(failure)
                    ? "the database is unavailable or busy (" : "the database refused the statement (");
            text.append(sql.getClass().getSimpleName());
            if (sql.getSQLState() != null) {
                text.append(", SQLState ").append(sql.getSQLState());
            }
            if (constraint != null) {
                text.append(", constraint ").append(constraint);
            }
            return bounded(text.append(')').toString());
        }
        String message = root.getMessage();
        return bounded(root.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message));
    }

    private static String bounded(String text) {
        String escaped = LogSafe.escapeWhole(text == null ? "" : text);
        return escaped.length() <= MAX_LENGTH ? escaped : escaped.substring(0, MAX_LENGTH - 1) + "…";
    }
}
