package io.github.keycloakreplica.publisher;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which of Keycloak's events can mean that a person changed, and who. Events are triggers, never payloads (an
 * admin event's representation is the request, not the state): all that is taken from one is a user id. User events
 * mark their user unless they are sign-in and token traffic, which must not put a database write on every sign-in;
 * a type not listed here, such as one a later Keycloak adds, marks its user, because a missed change costs more than
 * one intent row.
 */
public final class ChangeTriggers {

    /** User events that never change what the stream carries of a person. */
    static final Set<String> SIGN_IN_TRAFFIC = Set.of(
            "LOGIN", "LOGOUT", "CODE_TO_TOKEN", "CLIENT_LOGIN", "REFRESH_TOKEN", "VALIDATE_ACCESS_TOKEN", "INTROSPECT_TOKEN",
            "USER_INFO_REQUEST", "TOKEN_EXCHANGE", "PERMISSION_TOKEN", "AUTHREQID_TO_TOKEN", "OAUTH2_DEVICE_AUTH",
            "OAUTH2_DEVICE_VERIFY_USER_CODE", "OAUTH2_DEVICE_CODE_TO_TOKEN", "OAUTH2_EXTENSION_GRANT", "JWT_AUTHORIZATION_GRANT",
            "PUSHED_AUTHORIZATION_REQUEST", "RESTART_AUTHENTICATION", "INVALID_SIGNATURE", "IDENTITY_PROVIDER_RESPONSE",
            "IDENTITY_PROVIDER_RETRIEVE_TOKEN", "IMPERSONATE", "GRANT_CONSENT", "UPDATE_CONSENT", "REVOKE_GRANT",
            "SEND_VERIFY_EMAIL", "SEND_RESET_PASSWORD", "SEND_IDENTITY_PROVIDER_LINK", "RESET_PASSWORD", "EXECUTE_ACTIONS",
            "EXECUTE_ACTION_TOKEN", "CLIENT_INFO", "CLIENT_REGISTER", "CLIENT_UPDATE", "CLIENT_DELETE",
            "CLIENT_INITIATED_ACCOUNT_LINKING", "REGISTER_NODE", "UNREGISTER_NODE", "USER_DISABLED_BY_TEMPORARY_LOCKOUT",
            "INVITE_ORG", "USER_SESSION_DELETED", "VERIFIABLE_CREDENTIAL_REQUEST", "VERIFIABLE_CREDENTIAL_OFFER_REQUEST",
            "VERIFIABLE_CREDENTIAL_NONCE_REQUEST", "VERIFIABLE_CREDENTIAL_CREATE_OFFER", "VERIFIABLE_CREDENTIAL_PRE_AUTHORIZED_GRANT");

    /** Admin events on these resources are about a user when their path starts with users/{id}. */
    static final Set<String> USER_RESOURCES = Set.of("USER", "REALM_ROLE_MAPPING", "CLIENT_ROLE_MAPPING", "GROUP_MEMBERSHIP",
            "ORGANIZATION_MEMBERSHIP");

    private static final String USERS_PATH = "users/";
    /**
     * Keycloak's event detail naming the identity provider of a sign-in. A broker sign-in is reported as a plain LOGIN
     * (26.7's AuthenticationManager sets the type back to LOGIN after IdentityBrokerService set IDENTITY_PROVIDER_LOGIN),
     * yet the provider's mappers in sync mode FORCE may have just rewritten the person.
     */
    static final String IDENTITY_PROVIDER_DETAIL = "identity_provider";

    private ChangeTriggers() {
    }

    /** The user a user event marks, if any: successful events outside sign-in traffic, and sign-ins through a broker. */
    public static Optional<String> ofUserEvent(String type, String userId, Map<String, String> details) {
        if (type == null || userId == null || userId.isEmpty() || type.endsWith("_ERROR")) {
            return Optional.empty();
        }
        boolean brokered = "LOGIN".equals(type) && details != null && details.get(IDENTITY_PROVIDER_DETAIL) != null;
        return SIGN_IN_TRAFFIC.contains(type) && !brokered ? Optional.empty() : Optional.of(userId);
    }

    /** The user an admin event marks, if any: one on a user resource whose path names the user. */
    public static Optional<String> ofAdminEvent(String resourceType, String resourcePath) {
        if (resourceType == null || resourcePath == null || !USER_RESOURCES.contains(resourceType) || !resourcePath.startsWith(USERS_PATH)) {
            return Optional.empty();
        }
        String rest = resourcePath.substring(USERS_PATH.length());
        int slash = rest.indexOf('/');
        String id = slash < 0 ? rest : rest.substring(0, slash);
        return id.isEmpty() ? Optional.empty() : Optional.of(id);
    }
}
