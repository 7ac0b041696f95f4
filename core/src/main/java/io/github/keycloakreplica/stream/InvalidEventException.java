package io.github.keycloakreplica.stream;

/**
 * A record that is not a valid stream event. The message says what is wrong and where (a JSON path
 * into the record), so the dead-letter record alone tells the upstream's owner what to fix.
 * It never carries credential secrets, and it is always one printable line of bounded length, fit
 * for a log line and for the dead-letter reason column (2,048 characters) with a prefix.
 */
public final class InvalidEventException extends Exception {

    /** Messages are cut here: room is left for what callers put before them. */
    public static final int MAX_MESSAGE_CHARS = 1500;

    private static final long serialVersionUID = 1L;

    public InvalidEventException(String message) {
        super(LogSafe.escape(message, MAX_MESSAGE_CHARS));
    }
}
