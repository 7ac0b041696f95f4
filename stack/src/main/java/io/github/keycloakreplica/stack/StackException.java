package io.github.keycloakreplica.stack;

/**
 * A server of the local stack could not be prepared, started or stopped. The message says which one and,
 * where there is one, ends with the tail of its log, so a failed test explains itself.
 */
public final class StackException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
