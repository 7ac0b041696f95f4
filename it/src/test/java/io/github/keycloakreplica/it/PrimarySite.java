package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.PrimaryWritePath;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import org.awaitility.Awaitility;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A primary and a replica on one broker, both real Keycloak 26.7 servers with our jars: the primary
 * imported realm-config/acme-primary-realm.json (the publisher enabled on realm {@value #REALM}), the
 * replica realm-config/acme-realm.json (a replica component following the same topic prefix). Nothing
 * stands in for the authority: what the replica holds came from the primary's publisher. The topics are
 * not created here; the publisher creates them, so the replica starts before they exist, as a site does
 * whose primary is enabled after it. Started once per test JVM and shared (see {@link PrimaryStack}); tests
 * keep apart by their own usernames.
 */
public final class PrimarySite implements AutoCloseable {

    public static final String REALM = "acme";
    public static final String TOPIC_PREFIX = "acme";
    public static final String CONFIDENTIAL_CLIENT = "replica-confidential";
    public static final String CLIENT_SECRET = "replica-secret";
    /** The primary's client for the replica site (realm role replica-site), by which the replica calls the primary's write path. */
    public static final String SITE_CLIENT = PrimaryWritePath.SITE_CLIENT;
    public static final String SITE_SECRET = PrimaryWritePath.SITE_SECRET;
    /** The component type the publisher's settings are stored as, and its provider id. */
    public static final String PUBLISHER_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";
    public static final String PUBLISHER_PROVIDER = "replica-publisher";
    /** Short intervals, so tests of heartbeats and of changes that fire no event wait seconds, not minutes. */
    public static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(15);
    /** How long a change at the primary may take to reach the replica: the "within a second", with room for a busy 2-core CI. */
    static final Duration PROPAGATION = Duration.ofSeconds(10);
    /** A change that fires no event waits for the next reconcile at most, then travels like any other. */
    static final Duration SILENT_PROPAGATION = RECONCILE_INTERVAL.plus(PROPAGATION);

    private static final String TEST_LOG_LEVEL = "INFO,io.github.keycloakreplica:DEBUG";

    private final Stack stack;
    private final KeycloakHttp primary;
    private final KeycloakHttp replica;

    private PrimarySite(Stack stack) {
        this.stack = stack;
        this.primary = http(stack.keycloak("primary"));
        this.replica = http(stack.keycloak("replica"));
    }

    private static KeycloakHttp http(KeycloakServer server) {
        return new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
    }

    static PrimarySite start() {
        StackArtifacts artifacts = StackArtifacts.load();
        // Each server gets the broker's address as REPLICA_KAFKA_BOOTSTRAP_SERVERS from the stack itself.
        Stack stack = Stack.builder()
                .keycloak(KeycloakServerSpec.builder("primary")
                        .realmImport(artifacts.realmFile("acme-primary-realm.json"))
                        .env("REPLICA_TOPIC_PREFIX", TOPIC_PREFIX)
                        .env("REPLICA_PUBLISHER_HEARTBEAT_SECONDS", String.valueOf(HEARTBEAT_INTERVAL.toSeconds()))
                        .env("REPLICA_PUBLISHER_RECONCILE_SECONDS", String.valueOf(RECONCILE_INTERVAL.toSeconds()))
                        .option("log-level", TEST_LOG_LEVEL)
                        // The publisher's console page needs it in 26.7 (PublisherSettingsIT); the replica stays without it.
                        .option("features", "declarative-ui")
                        .build())
                .keycloak(KeycloakServerSpec.builder("replica")
                        .realmImport(artifacts.realmFile("acme-realm.json"))
                        .env("REPLICA_TOPIC_PREFIX", TOPIC_PREFIX)
                        .env("REPLICA_CONSUMER_GROUP", "it-publisher-site")
                        .option("log-level", TEST_LOG_LEVEL)
                        .build())
                .start();
        PrimarySite site = new PrimarySite(stack);
        site.useThePrimarysWritePath();
        return site;
    }

    /** The primary realm's credential write path, as a site calls it. */
    public String writePathUrl() {
        return PrimaryWritePath.url(primaryServer(), REALM);
    }

    /**
     * Points the replica's component at the primary's write path before any test: a credential changed at the replica
     * is then set by the primary, as a site of issue 17 has it.
     */
    private void useThePrimarysWritePath() {
        PrimaryWritePath.use(replica, REALM, primaryServer());
    }

    public Stack stack() {
        return stack;
    }

    public KeycloakServer primaryServer() {
        return stack.keycloak("primary");
    }

    public KeycloakServer replicaServer() {
        return stack.keycloak("replica");
    }

    /** The primary's admin REST and OIDC endpoints. */
    public KeycloakHttp primary() {
        return primary;
    }

    /** The replica's admin REST and OIDC endpoints. */
    public KeycloakHttp replica() {
        return replica;
    }

    /** A read of the shared realm's admin REST that must answer 200. */
    static JsonNode get(KeycloakHttp keycloak, String path) {
        KeycloakHttp.Response r = keycloak.admin("GET", REALM + "/" + path, null);
        assertThat(r.status()).as("GET " + path + ": " + r).isEqualTo(200);
        return r.json();
    }

    /** A write to the shared realm's admin REST that must answer 2xx. */
    static void send(KeycloakHttp keycloak, String method, String path, Object body) {
        KeycloakHttp.Response r = keycloak.admin(method, REALM + "/" + path, body);
        assertThat(r.status()).as(method + " " + path + ": " + r).isBetween(200, 299);
    }

    /**
     * Creates a person at the primary through admin REST (the body may carry {@code credentials}) and
     * returns their id, which the replica's user must have too.
     */
    String createAtPrimary(Map<String, Object> user) {
        send(primary, "POST", "users", user);
        String username = (String) user.get("username");
        JsonNode found = get(primary, "users?exact=true&username=" + URLEncoder.encode(username, StandardCharsets.UTF_8));
        assertThat(found).as("created " + username).hasSize(1);
        return found.get(0).get("id").asText();
    }

    /** A person as an administrator creates them, with an attribute and a password in the create body. */
    static Map<String, Object> person(String username, String password) {
        Map<String, Object> user = new java.util.LinkedHashMap<>();
        user.put("username", username);
        user.put("email", username + "@example.com");
        user.put("emailVerified", true);
        user.put("firstName", "Alice");
        user.put("lastName", "Example");
        user.put("enabled", true);
        user.put("attributes", Map.of("department", List.of("engineering")));
        user.put("credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)));
        return user;
    }

    /** The person as the primary's admin REST shows them. */
    JsonNode atPrimary(String id) {
        return get(primary, "users/" + id);
    }

    /**
     * The user with this id at the replica, if it has one. Any answer but 200 or 404 fails the test: read
     * as "no such user", it would let a wait for a removal pass on an error.
     */
    Optional<JsonNode> atReplica(String id) {
        KeycloakHttp.Response r = replica.admin("GET", REALM + "/users/" + id, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        assertThat(r.status()).as("replica user " + id + ": " + r).isEqualTo(200);
        return Optional.of(r.json());
    }

    /** Waits for the replica's user with this id to meet the condition; returns it. */
    JsonNode awaitAtReplica(String id, Duration within, Predicate<JsonNode> condition) {
        return Awaitility.await("replica user " + id)
                .atMost(within)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> atReplica(id).filter(condition).orElse(null), Objects::nonNull);
    }

    /** Waits for something read at the replica (role names, group paths...) to meet the condition; returns it. */
    <T> T awaitReplica(String what, Duration within, Callable<T> read, Predicate<T> condition) {
        return Awaitility.await(what)
                .atMost(within)
                .pollInterval(Duration.ofMillis(200))
                .until(read, condition);
    }

    void awaitGoneAtReplica(String id) {
        Awaitility.await("replica user " + id + " removed")
                .atMost(PROPAGATION)
                .pollInterval(Duration.ofMillis(200))
                .until(() -> atReplica(id).isEmpty());
    }

    /** The realm roles mapped directly to the person, by name. */
    static List<String> realmRoles(KeycloakHttp keycloak, String id) {
        return People.names(get(keycloak, "users/" + id + "/role-mappings/realm"), "name");
    }

    /** The roles of a client (by its clientId, whose internal id differs per server) mapped directly to the person. */
    static List<String> clientRoles(KeycloakHttp keycloak, String id, String clientId) {
        return People.names(get(keycloak, "users/" + id + "/role-mappings/clients/" + clientUuid(keycloak, clientId)), "name");
    }

    /** The paths of the person's groups. */
    static List<String> groups(KeycloakHttp keycloak, String id) {
        return People.names(get(keycloak, "users/" + id + "/groups"), "path");
    }

    static String clientUuid(KeycloakHttp keycloak, String clientId) {
        JsonNode clients = get(keycloak, "clients?clientId=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8));
        assertThat(clients).as("client " + clientId).hasSize(1);
        return clients.get(0).get("id").asText();
    }

    /** The token endpoint's answer to a password grant at either server, through the confidential client both realms have. */
    static KeycloakHttp.Response signIn(KeycloakHttp keycloak, String username, String password) {
        return keycloak.passwordGrant(REALM, CONFIDENTIAL_CLIENT, CLIENT_SECRET, username, password);
    }

    /** Waits until the password signs the person in at the replica; returns the token response. */
    KeycloakHttp.Response awaitSignInAtReplica(String username, String password) {
        return Awaitility.await("sign-in of " + username + " at the replica")
                .atMost(PROPAGATION)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> signIn(replica, username, password), r -> r.status() == 200);
    }

    /** Waits until the password no longer signs the person in at the replica; returns the refusal. */
    KeycloakHttp.Response awaitSignInRefusedAtReplica(String username, String password) {
        return Awaitility.await("sign-in of " + username + " refused at the replica")
                .atMost(PROPAGATION)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> signIn(replica, username, password), r -> r.status() != 200);
    }

    /**
     * The replica's view of one subject (attributes and credentials with their versions), if it has seen it:
     * {@code GET /admin/realms/acme/replica/subjects/{subject}}, whose one replica component gives one entry.
     */
    Optional<JsonNode> replicaSubject(String subject) {
        KeycloakHttp.Response r = replica.admin("GET", REALM + "/replica/subjects/" + subject, null);
        if (r.status() == 404) {
            return Optional.empty();
        }
        assertThat(r.status()).as("replica subject " + subject + ": " + r).isEqualTo(200);
        assertThat(r.json()).as("one replica component").hasSize(1);
        return Optional.of(r.json().get(0));
    }

    /**
     * Every record the primary published is one the replica accepts: a dead letter at the replica means the
     * publisher broke the stream contract (and the person's change stopped there).
     */
    void assertReplicaRefusedNothing() {
        if (!replicaServer().isRunning()) {
            return;
        }
        JsonNode items = get(replica, "replica/dead-letters?max=100").get("items");
        List<String> refused = new ArrayList<>();
        items.forEach(item -> refused.add(item.path("topic").asText() + " " + item.path("key").asText() + ": "
                + item.path("reason").asText()));
        assertThat(refused).as("records of the primary's that the replica dead-lettered").isEmpty();
    }

    @Override
    public void close() {
        stack.close();
    }
}
