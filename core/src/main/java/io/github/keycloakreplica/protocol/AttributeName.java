package io.github.keycloakreplica.protocol;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an attribute name of the identity stream means at the replica. Reserved names map onto
 * Keycloak's core fields and entitlements; {@code clientRoles.<clientId>} names one client's roles;
 * every other name is a plain user attribute.
 */
public record AttributeName(String name, Kind kind, String clientId) {

    public enum Kind {
        USERNAME("username"),
        EMAIL("email"),
        EMAIL_VERIFIED("emailVerified"),
        FIRST_NAME("firstName"),
        LAST_NAME("lastName"),
        ENABLED("enabled"),
        REALM_ROLES("realmRoles"),
        CLIENT_ROLES("clientRoles."),
        GROUPS("groups"),
        USER_ATTRIBUTE(null);

        private final String reserved;

        Kind(String reserved) {
            this.reserved = reserved;
        }

        /** The stream's name for it ({@code clientRoles.} is a prefix); null for plain user attributes. */
        public String reserved() {
            return reserved;
        }
    }

    public static final String CLIENT_ROLES_PREFIX = Kind.CLIENT_ROLES.reserved;

    public static AttributeName of(String name) {
        if (name.startsWith(CLIENT_ROLES_PREFIX) && name.length() > CLIENT_ROLES_PREFIX.length()) {
            return new AttributeName(name, Kind.CLIENT_ROLES, name.substring(CLIENT_ROLES_PREFIX.length()));
        }
        Optional<Kind> reserved = Arrays.stream(Kind.values())
                .filter(k -> k != Kind.CLIENT_ROLES && name.equals(k.reserved))
                .findFirst();
        return new AttributeName(name, reserved.orElse(Kind.USER_ATTRIBUTE), null);
    }

    /** Whether Keycloak keeps it in a column of the user's own row (rather than in rows of their own). */
    public boolean isUserColumn() {
        return kind == Kind.USERNAME || kind == Kind.EMAIL || kind == Kind.EMAIL_VERIFIED || kind == Kind.FIRST_NAME
                || kind == Kind.LAST_NAME || kind == Kind.ENABLED;
    }

    /** Roles and groups decide what a person may do; the rest only describes them. */
    public boolean isEntitlement() {
        return kind == Kind.REALM_ROLES || kind == Kind.CLIENT_ROLES || kind == Kind.GROUPS;
    }
}
