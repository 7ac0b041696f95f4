package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the streams carry of a realm's people, as one server's admin REST shows it, by user id: the same
 * at a primary and at a replica that follows it. Read the same way at both, so two servers compare with
 * {@code equals}; a difference prints person by person.
 */
final class RealmPeople {

    /** More than any run of the shared site holds: one page is the whole realm. */
    private static final int ALL = 10_000;

    private RealmPeople() {
    }

    /** A credential as admin REST lists it: never its secret, which the sign-ins check instead. */
    record Credential(String id, String type, String userLabel, long createdDate) {
    }

    /**
     * One person: the user columns, the attributes (values sorted: Keycloak keeps no order), the direct
     * realm and client role mappings by name, the group paths and the credentials.
     */
    record Person(String username, String email, boolean emailVerified, String firstName, String lastName, boolean enabled,
                  Map<String, List<String>> attributes, Set<String> realmRoles, Map<String, Set<String>> clientRoles,
                  Set<String> groups, List<Credential> credentials) {
    }

    /** Every user of the realm (admin REST leaves service accounts out, as the publisher does), by id. */
    static Map<String, Person> all(KeycloakHttp keycloak) {
        JsonNode users = get(keycloak, "users?briefRepresentation=false&first=0&max=" + ALL);
        assertThat(users.size()).as("one page holds the realm's users").isLessThan(ALL);
        Map<String, Person> people = new TreeMap<>();
        users.forEach(user -> people.put(user.get("id").asText(), person(keycloak, user)));
        return people;
    }

    /** These users, by id; one the server does not have is left out. */
    static Map<String, Person> of(KeycloakHttp keycloak, Collection<String> ids) {
        Map<String, Person> people = new TreeMap<>();
        for (String id : ids) {
            KeycloakHttp.Response r = keycloak.admin("GET", REALM + "/users/" + id, null);
            if (r.status() == 404) {
                continue;
            }
            assertThat(r.status()).as("user " + id + ": " + r).isEqualTo(200);
            people.put(id, person(keycloak, r.json()));
        }
        return people;
    }

    /** How many users the realm has, cheaply, to wait for a replica to hold them all before comparing each. */
    static int count(KeycloakHttp keycloak) {
        return get(keycloak, "users/count").asInt();
    }

    private static Person person(KeycloakHttp keycloak, JsonNode user) {
        String id = user.get("id").asText();
        Map<String, List<String>> attributes = new TreeMap<>();
        user.path("attributes").properties().forEach(a -> {
            List<String> values = People.names(a.getValue(), null);
            values.sort(null);
            attributes.put(a.getKey(), values);
        });
        JsonNode mappings = get(keycloak, "users/" + id + "/role-mappings");
        Set<String> realmRoles = new TreeSet<>(People.names(mappings.path("realmMappings"), "name"));
        Map<String, Set<String>> clientRoles = new TreeMap<>();
        mappings.path("clientMappings").properties().forEach(c ->
                clientRoles.put(c.getKey(), new TreeSet<>(People.names(c.getValue().path("mappings"), "name"))));
        Set<String> groups = new TreeSet<>(People.names(get(keycloak, "users/" + id + "/groups"), "path"));
        List<Credential> credentials = new ArrayList<>();
        get(keycloak, "users/" + id + "/credentials").forEach(c -> credentials.add(new Credential(c.get("id").asText(),
                c.get("type").asText(), c.hasNonNull("userLabel") ? c.get("userLabel").asText() : null, c.path("createdDate").asLong())));
        credentials.sort((a, b) -> a.id().compareTo(b.id()));
        return new Person(user.get("username").asText(), text(user, "email"), user.path("emailVerified").asBoolean(),
                text(user, "firstName"), text(user, "lastName"), user.path("enabled").asBoolean(), attributes, realmRoles, clientRoles,
                groups, credentials);
    }

    private static String text(JsonNode user, String field) {
        return user.hasNonNull(field) ? user.get(field).asText() : null;
    }
}
