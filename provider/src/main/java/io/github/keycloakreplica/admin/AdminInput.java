package io.github.keycloakreplica.admin;

import io.github.keycloakreplica.stream.LogSafe;

import java.util.List;
import java.util.Locale;

/**
 * Limits on what a caller sends the replica's admin API, checked before it reaches the database: a text
 * longer than its column, or one with a NUL (which PostgreSQL cannot store or even compare), would
 * otherwise come back as a 500 from the database instead of a 400 that says what to change.
 */
final class AdminInput {

    /** REPLICA_OPERATION.REASON. */
    static final int MAX_REASON = 1_024;
    /** REPLICA_OPERATION.IDEMPOTENCY_KEY. */
    static final int MAX_IDEMPOTENCY_KEY = 255;
    /** Keycloak's own limit on usernames (USER_ENTITY.USERNAME). */
    static final int MAX_USERNAME = 255;
    /** REPLICA_SUBJECT.SUBJECT. */
    static final int MAX_SUBJECT = 255;
    /** Keycloak's COMPONENT.ID. */
    static final int MAX_COMPONENT_ID = 36;
    /** An operation's id (36) or the standing incremental entry's "incremental-" and a component id. */
    static final int MAX_OPERATION_ID = 48;
    /** kind and action are single words. */
    static final int MAX_WORD = 32;
    /** The most items one page of a list holds; larger requests get this many. */
    static final int MAX_PAGE = 500;

    private AdminInput() {
    }

    /**
     * What is wrong with a text field, in words for the caller, or null when it is absent or fine. The
     * length counted is the trimmed one, which is what is stored.
     *
     * @param lineBreaks whether line breaks and tabs belong in it (a reason may have several lines; an id may not)
     */
    static String problem(String field, String value, int max, boolean lineBreaks) {
        return value == null ? null : check(field, value.trim(), max, lineBreaks);
    }

    /** {@link #problem} for a path parameter, which is looked up as it comes: nothing is trimmed away. */
    static String pathProblem(String field, String value, int max) {
        return value == null ? null : check(field, value, max, false);
    }

    private static String check(String field, String trimmed, int max, boolean lineBreaks) {
        if (trimmed.length() > max) {
            return field + " is at most " + number(max) + " characters; this one has " + number(trimmed.length()) + ".";
        }
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (Character.isISOControl(c) && !(lineBreaks && (c == '\n' || c == '\r' || c == '\t'))) {
                return field + " contains the control character U+" + String.format(Locale.ROOT, "%04X", (int) c) + " at position "
                        + (i + 1) + (lineBreaks ? "; only line breaks and tabs may be in it." : "; it may not have any.");
            }
        }
        return null;
    }

    /** {@link #problem} for each item of a list, named field[index]. */
    static String problem(String field, List<String> values, int max) {
        if (values == null) {
            return null;
        }
        for (int i = 0; i < values.size(); i++) {
            String problem = problem(field + "[" + i + "]", values.get(i), max, false);
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /** A page size as the database gets it: 1 to {@link #MAX_PAGE}, whatever was asked. */
    static int page(int max) {
        return Math.max(1, Math.min(max, MAX_PAGE));
    }

    /** An offset as the database gets it: never negative. */
    static int offset(int first) {
        return Math.max(0, first);
    }

    /** A text the caller sent, fit to be quoted in an answer or a log line. */
    static String quoted(String value) {
        return "'" + LogSafe.escape(value == null ? "" : value.trim(), 100) + "'";
    }

    private static String number(int n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
