package io.github.keycloakreplica.protocol;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Maps an upstream subject (or credential id) to the id Keycloak stores. Where the subject can be a
 * Keycloak id as it is, it is: a token's {@code sub} is then the same at the primary and at every
 * replica. Anything Keycloak cannot hold in its 36-character id columns, or would misread as a
 * federated storage id ({@code f:component:external}), becomes a stable name-based UUID.
 */
public final class SubjectIds {

    public static final int MAX_KEYCLOAK_ID_LENGTH = 36;
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private SubjectIds() {
    }

    public static boolean usableAsIs(String id) {
        return id != null && id.length() <= MAX_KEYCLOAK_ID_LENGTH && SAFE.matcher(id).matches();
    }

    public static String userId(String subject) {
        return usableAsIs(subject) ? subject : nameBased("subject:" + subject);
    }

    public static String credentialId(String upstreamCredentialId) {
        return usableAsIs(upstreamCredentialId) ? upstreamCredentialId : nameBased("credential:" + upstreamCredentialId);
    }

    private static String nameBased(String name) {
        return UUID.nameUUIDFromBytes(("keycloak-replica:" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
