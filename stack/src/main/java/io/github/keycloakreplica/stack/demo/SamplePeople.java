package io.github.keycloakreplica.stack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The demo's people, made at the primary the way an administrator makes them there (admin REST: the person with
 * a password and a group, then a realm role), and followed to the replica until each has arrived and signs in.
 * Nothing but the primary's publisher brings them to the replica.
 */
final class SamplePeople {

    static final String PASSWORD = "replica-demo-1";

    record Person(String username, String first, String last, String role, String group) {
    }

    static final List<Person> PEOPLE = List.of(
            new Person("alice", "Alice", "Anders", "project-lead", "/site-a/ops"),
            new Person("bob", "Bob", "Berg", "operator", "/site-a/ops"),
            new Person("carol", "Carol", "Chen", "operator", "/site-a/engineering"));

    /** A person made at the primary: their id (the same at the replica) and how long after the primary's answer the replica had them. */
    record Arrival(Person person, String id, Duration arrivedAfter) {
    }

    /** Generous, for a busy 2-core machine: "within a second" is what is printed, measured, not what is waited for. */
    private static final Duration ARRIVAL_WAIT = Duration.ofSeconds(30);
    private static final String CLIENT = "replica-public";

    private final String realm;
    private final KeycloakHttp primary;
    private final KeycloakHttp replica;

    SamplePeople(String realm, KeycloakHttp primary, KeycloakHttp replica) {
        this.realm = realm;
        this.primary = primary;
        this.replica = replica;
    }

    /**
     * Creates the person at the primary and times, from the primary's answer, until the replica's admin REST shows
     * them; then grants the realm role there and waits until the replica has it too.
     */
    Arrival create(Person person) throws InterruptedException {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", person.username());
        user.put("email", person.username() + "@acme.example");
        user.put("emailVerified", true);
        user.put("firstName", person.first());
        user.put("lastName", person.last());
        user.put("enabled", true);
        user.put("attributes", Map.of("department", List.of("site-a")));
        user.put("groups", List.of(person.group()));
        user.put("credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false)));
        expect(primary.admin("POST", realm + "/users", user), "create " + person.username() + " at the primary");
        long answered = System.nanoTime();
        JsonNode atReplica = await(person.username() + " at the replica", () -> byUsername(replica, person.username()), u -> !u.isMissingNode());
        Duration arrivedAfter = Duration.ofNanos(System.nanoTime() - answered);
        String id = byUsername(primary, person.username()).path("id").asText();
        if (!id.equals(atReplica.path("id").asText())) {
            throw new IllegalStateException(person.username() + " has id " + id + " at the primary but " + atReplica.path("id").asText()
                    + " at the replica");
        }

        JsonNode role = expect(primary.admin("GET", realm + "/roles/" + person.role(), null), "read role " + person.role());
        expect(primary.admin("POST", realm + "/users/" + id + "/role-mappings/realm", List.of(role)), "grant " + person.role());
        await(person.role() + " of " + person.username() + " at the replica",
                () -> expect(replica.admin("GET", realm + "/users/" + id + "/role-mappings/realm", null), "read roles at the replica"),
                roles -> roles.findValuesAsText("name").contains(person.role()));
        return new Arrival(person, id, arrivedAfter);
    }

    /** Waits until the password really signs the person in at the replica, so what is printed works when it is printed. */
    void awaitSignIn(Person person) throws InterruptedException {
        await(person.username() + " signing in at the replica",
                () -> replica.passwordGrant(realm, CLIENT, null, person.username(), PASSWORD), r -> r.status() == 200);
    }

    /** The user with this exact username, or a missing node. */
    private JsonNode byUsername(KeycloakHttp keycloak, String username) {
        JsonNode found = expect(keycloak.admin("GET", realm + "/users?exact=true&briefRepresentation=true&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8), null), "look up " + username);
        return found.path(0);
    }

    private static JsonNode expect(KeycloakHttp.Response response, String what) {
        if (response.status() / 100 != 2) {
            throw new IllegalStateException("could not " + what + ": " + response);
        }
        return response.json();
    }

    private static <T> T await(String what, Supplier<T> read, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + ARRIVAL_WAIT.toNanos();
        while (true) {
            T value = read.get();
            if (done.test(value)) {
                return value;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + ARRIVAL_WAIT.toSeconds() + " s for " + what + "; last seen: " + value);
            }
            Thread.sleep(50);
        }
    }
}
