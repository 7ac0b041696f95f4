package io.github.keycloakreplica.stream;

/**
 * A record that is not a valid stream event. The message says what is wrong and where (a JSON path
 * into the record), so the dead-letter record alone tells the upstream's owner what to fix.
 * It never carries credential secrets.
 */
public final class InvalidEventException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidEventException(String message) {
        super(message);
    }
}
