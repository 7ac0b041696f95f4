package io.github.keycloakreplica.apply;

/**
 * A subject was given a username another subject of the same component still holds here. The upstream
 * keeps usernames unique, so the holder has let go of it there (renamed or deleted) and that change is
 * still on its way, typically on another partition: the subject waits for it, it is not refused.
 */
public final class UsernameHeldException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String username;
    private final String holderUserId;

    UsernameHeldException(String username, String holderUserId) {
        super("username '" + username + "' is still held by another replicated subject (user id " + holderUserId + ")");
        this.username = username;
        this.holderUserId = holderUserId;
    }

    public String username() {
        return username;
    }

    public String holderUserId() {
        return holderUserId;
    }
}
