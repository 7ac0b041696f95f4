package io.github.keycloakreplica.publisher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.PublishedLedger;
import io.github.keycloakreplica.protocol.PublishedLedger.CurrentCredential;
import io.github.keycloakreplica.store.PublisherRows;
import org.keycloak.credential.CredentialModel;
import org.keycloak.credential.UserCredentialStore;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.storage.UserStoragePrivateUtil;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a person of a primary realm as the stream carries them, from Keycloak's database (its JPA user provider,
 * never the user cache, which another node may not have invalidated yet): core fields under their reserved names,
 * direct realm and client role mappings, group paths, every other attribute, and the stored credentials in
 * Keycloak's own format. Service accounts are not people and read as absent.
 */
public final class PersonReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** What Keycloak's JPA user adapter adds to a user's attributes from its own columns. */
    private static final Set<String> CORE_FIELDS = Set.of(UserModel.USERNAME, UserModel.EMAIL, UserModel.FIRST_NAME, UserModel.LAST_NAME);
    /** Sign-in bookkeeping in a credential's data (an HOTP counter, a WebAuthn sign count): not a change of it. */
    private static final String SIGN_IN_COUNTER = "counter";

    /** A person as the stream carries them. */
    public record Person(Map<String, JsonNode> attributes, List<CurrentCredential> credentials) {
    }

    private final UserProvider users;
    private final PublisherRows rows;

    public PersonReader(KeycloakSession session) {
        this.users = UserStoragePrivateUtil.userLocalStorage(session);
        this.rows = PublisherRows.of(session);
    }

    /** The person with this id now, or null when there is none (deleted, or a service account). */
    public Person read(RealmModel realm, String userId) {
        UserModel user = users.getUserById(realm, userId);
        if (user == null || user.getServiceAccountClientLink() != null) {
            return null;
        }
        Map<String, JsonNode> attributes = new TreeMap<>();
        attributes.put("username", text(user.getUsername()));
        attributes.put("email", text(user.getEmail()));
        attributes.put("emailVerified", BooleanNode.valueOf(user.isEmailVerified()));
        attributes.put("firstName", text(user.getFirstName()));
        attributes.put("lastName", text(user.getLastName()));
        attributes.put("enabled", BooleanNode.valueOf(user.isEnabled()));
        attributes.put("realmRoles", list(user.getRealmRoleMappingsStream().map(RoleModel::getName).toList()));
        Map<String, List<String>> clientRoles = new TreeMap<>();
        user.getRoleMappingsStream().filter(RoleModel::isClientRole).forEach(role -> clientRoles
                .computeIfAbsent(((ClientModel) role.getContainer()).getClientId(), c -> new ArrayList<>()).add(role.getName()));
        clientRoles.forEach((clientId, roles) -> attributes.put("clientRoles." + clientId, list(roles)));
        attributes.put("groups", list(rows.groupIdsOf(user.getId()).stream().map(realm::getGroupById).filter(Objects::nonNull)
                .map(KeycloakModelUtils::buildGroupPath).toList()));
        user.getAttributes().forEach((name, values) -> {
            if (!CORE_FIELDS.contains(name) && values != null && !values.isEmpty()) {
                attributes.put(name, list(values));
            }
        });
        List<CurrentCredential> credentials = ((UserCredentialStore) users).getStoredCredentialsStream(realm, user)
                .map(PersonReader::credential).toList();
        return new Person(attributes, credentials);
    }

    static CurrentCredential credential(CredentialModel c) {
        String fingerprint = PublishedLedger.fingerprint(c.getType() + "\n" + c.getSecretData() + "\n" + withoutCounter(c.getCredentialData())
                + "\n" + c.getUserLabel() + "\n" + c.getCreatedDate());
        return new CurrentCredential(c.getId(), c.getType(), c.getCredentialData() == null ? "{}" : c.getCredentialData(),
                c.getSecretData(), c.getCreatedDate(), c.getUserLabel(), fingerprint);
    }

    /** The credential data as it counts for a change: without the counters a sign-in moves. */
    static String withoutCounter(String credentialData) {
        if (credentialData == null || !credentialData.contains(SIGN_IN_COUNTER)) {
            return credentialData;
        }
        try {
            JsonNode data = MAPPER.readTree(credentialData);
            if (data instanceof ObjectNode object) {
                object.remove(SIGN_IN_COUNTER);
                return object.toString();
            }
            return credentialData;
        } catch (IOException e) {
            return credentialData;
        }
    }

    private static JsonNode text(String value) {
        return value == null ? null : TextNode.valueOf(value);
    }

    /** Sorted: Keycloak keeps no order of roles, groups or values, and a new order must not read as a change. */
    private static ArrayNode list(List<String> values) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        new TreeSet<>(values).forEach(array::add);
        return array;
    }
}
