package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import org.awaitility.Awaitility;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link PrimarySite} of one test class's own, for tests that stop its broker and kill its primary: what they do
 * to the primary, what they read of its publisher's status, and how they wait for the replica to equal it. The
 * primary's admin client is made again after a kill, since the sessions behind its token may have gone with the
 * process.
 */
final class OutageSite implements AutoCloseable {

    static final String PASSWORD = "correct horse battery staple";
    /** How long the replica may take to equal the primary once nothing waits at the primary any more. */
    static final Duration CONVERGE = Duration.ofSeconds(60);

    private final PrimarySite site;
    private KeycloakHttp primary;
    private KeycloakHttp replica;

    private OutageSite(PrimarySite site) {
        this.site = site;
        this.primary = client(site.primaryServer());
        this.replica = client(site.replicaServer());
    }

    /** A new broker, primary and replica, as the shared site has them, for this class only. */
    static OutageSite start() {
        return new OutageSite(PrimarySite.start());
    }

    PrimarySite site() {
        return site;
    }

    KeycloakHttp primary() {
        return primary;
    }

    KeycloakHttp replica() {
        return replica;
    }

    String bootstrapServers() {
        return site.stack().broker().bootstrapServers();
    }

    /** A person at the primary: their id and name, and how admin REST showed them when made. */
    record Person(String id, String username, JsonNode shown) {

        /** The person as admin REST showed them, to send back changed, as the admin console does. */
        ObjectNode editable() {
            ObjectNode copy = shown.deepCopy();
            copy.remove(List.of("userProfileMetadata", "access"));
            return copy;
        }
    }

    /** People made at the primary, each with {@link #PASSWORD}; returns once each signs in at the replica. */
    List<Person> createPeople(String prefix, int count) {
        List<Person> people = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            people.add(createPerson(prefix));
        }
        people.forEach(p -> awaitSignInAtReplica(p.username(), PASSWORD));
        return people;
    }

    Person createPerson(String prefix) {
        String username = People.uniqueName(prefix);
        KeycloakHttp.Response created = create(newPerson(username, username + "@example.com"));
        assertThat(created.status()).as("create " + username + ": " + created).isEqualTo(201);
        String id = idOf(username);
        assertThat(id).as("created " + username).isNotNull();
        return new Person(id, username, PrimarySite.get(primary, "users/" + id));
    }

    /** The id of the person with this username at the primary, or null. */
    String idOf(String username) {
        JsonNode found = PrimarySite.get(primary, "users?exact=true&username=" + encode(username));
        return found.isEmpty() ? null : found.get(0).get("id").asText();
    }

    /** How many people have this email at the primary. */
    int withEmail(String email) {
        return PrimarySite.get(primary, "users?exact=true&email=" + encode(email)).size();
    }

    static Map<String, Object> newPerson(String username, String email) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("email", email);
        user.put("emailVerified", true);
        user.put("firstName", "Alice");
        user.put("lastName", "Example");
        user.put("enabled", true);
        user.put("attributes", Map.of("department", List.of("engineering")));
        user.put("credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false)));
        return user;
    }

    /** The attributes of a representation to change, made if it has none. */
    static ObjectNode attributes(ObjectNode user) {
        return user.get("attributes") instanceof ObjectNode attributes ? attributes : user.putObject("attributes");
    }

    KeycloakHttp.Response create(Map<String, Object> user) {
        return primary.admin("POST", REALM + "/users", user);
    }

    KeycloakHttp.Response put(Person person, ObjectNode body) {
        return primary.admin("PUT", REALM + "/users/" + person.id(), body);
    }

    void resetPassword(Person person, String password) {
        KeycloakHttp.Response reset = primary.admin("PUT", REALM + "/users/" + person.id() + "/reset-password",
                Map.of("type", "password", "value", password, "temporary", false));
        assertThat(reset.status()).as("reset-password: " + reset).isEqualTo(204);
    }

    void delete(Person person) {
        KeycloakHttp.Response deleted = primary.admin("DELETE", REALM + "/users/" + person.id(), null);
        assertThat(deleted.status()).as("delete: " + deleted).isEqualTo(204);
    }

    /** SIGKILL to the primary's whole process tree, then a start on the same home and database; returns how long it took. */
    Duration killAndRestartPrimary() {
        long killed = System.nanoTime();
        site.primaryServer().kill();
        site.primaryServer().start();
        primary = client(site.primaryServer());
        return Duration.ofNanos(System.nanoTime() - killed);
    }

    /** Stops the replica gracefully, so that its work does not weigh on the primary's figures. */
    void stopReplica() {
        site.replicaServer().stop();
    }

    /** Starts the replica again on its home and database; returns how long it took. */
    Duration startReplica() {
        long start = System.nanoTime();
        site.replicaServer().start();
        replica = client(site.replicaServer());
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** {@code GET /admin/realms/acme/replica-publisher/status}. */
    JsonNode status() {
        return PrimarySite.get(primary, "replica-publisher/status");
    }

    /** What waits at the primary: intents not yet versioned and records not yet in Kafka. */
    static long backlog(JsonNode status) {
        return status.at("/backlog/intents").asLong() + status.at("/backlog/unpublished").asLong();
    }

    JsonNode awaitStatus(String what, Duration within, Predicate<JsonNode> condition) {
        return Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(200)).until(this::status, condition);
    }

    /** Nothing waits, and a relay holds the lease and has sent a heartbeat. */
    JsonNode awaitQuiet() {
        return awaitStatus("the publisher quiet", CONVERGE, s -> backlog(s) == 0 && s.at("/relay/leaseLive").asBoolean()
                && !s.path("lastHeartbeatAt").isNull());
    }

    /** Quiet, and no record sent for three seconds: the realm's counters can be compared. */
    JsonNode awaitSettled() {
        long[] published = {-1};
        long[] since = {System.nanoTime()};
        return awaitStatus("the publisher settled", CONVERGE, s -> {
            long now = s.get("published").asLong();
            if (backlog(s) != 0 || now != published[0]) {
                published[0] = now;
                since[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - since[0] > Duration.ofSeconds(3).toNanos();
        });
    }

    /** What the stream carries of a person, as admin REST shows it at either server. */
    static Map<String, Object> comparable(JsonNode user) {
        Map<String, Object> fields = new TreeMap<>();
        for (String field : List.of("username", "email", "emailVerified", "firstName", "lastName", "enabled")) {
            fields.put(field, user.path(field).asText());
        }
        Map<String, List<String>> attributes = new TreeMap<>();
        user.path("attributes").properties().forEach(a -> attributes.put(a.getKey(), People.names(a.getValue(), null)));
        fields.put("attributes", attributes);
        return fields;
    }

    /** Waits until the replica's user shows what the primary's shows now: the fields and every attribute. */
    void awaitSameAtReplica(String id) {
        Map<String, Object> atPrimary = comparable(PrimarySite.get(primary, "users/" + id));
        Awaitility.await("user " + id + " at the replica as at the primary: " + atPrimary).atMost(CONVERGE)
                .pollInterval(Duration.ofMillis(250)).until(() -> atReplica(id).map(OutageSite::comparable).orElse(null), atPrimary::equals);
    }

    /** The replica's user with this id; any answer but 200 or 404 fails, so that an error never reads as "no such user". */
    Optional<JsonNode> atReplica(String id) {
        KeycloakHttp.Response r = replica.admin("GET", REALM + "/users/" + id, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        assertThat(r.status()).as("replica user " + id + ": " + r).isEqualTo(200);
        return Optional.of(r.json());
    }

    /** The replica's view of one subject ({@code replica/subjects/{subject}}, one replica component), once it has seen it. */
    JsonNode replicaSubject(String subject) {
        JsonNode view = PrimarySite.get(replica, "replica/subjects/" + subject);
        assertThat(view).as("one replica component").hasSize(1);
        return view.get(0);
    }

    void awaitSignInAtReplica(String username, String password) {
        Awaitility.await("sign-in of " + username + " at the replica").atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
                .until(() -> PrimarySite.signIn(replica, username, password).status() == 200);
    }

    void awaitGoneAtReplica(String id) {
        Awaitility.await("user " + id + " gone at the replica").atMost(CONVERGE).pollInterval(Duration.ofMillis(250))
                .until(() -> atReplica(id).isEmpty());
    }

    /** The tails of the broker's, the primary's and the replica's logs, for a failed test's report. */
    String logTails(int lines) {
        return site.stack().logTails(lines);
    }

    /** Stops the site, after checking that the replica's apply engine never fell back to one record per transaction. */
    @Override
    public void close() {
        try {
            ReplicaSite.assertApplyEngineHealthy(site.replicaServer());
        } finally {
            site.close();
        }
    }

    private static KeycloakHttp client(KeycloakServer server) {
        return new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
