package io.github.keycloakreplica.credential;

/**
 * The authority did not confirm a credential change. Its message is safe to show and to log: it never
 * holds the request's password or secret data.
 */
public final class WritePathException extends Exception {

    private static final long serialVersionUID = 1L;

    /** Why the change is not confirmed. */
    public enum Kind {
        /** The authority answered and said no (its password policy, a newer version there, an unknown credential). */
        REFUSED,
        /** No usable answer: unreachable, too slow, a server error, or an answer the replica cannot trust. */
        UNCONFIRMED
    }

    private final Kind kind;

    public WritePathException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
