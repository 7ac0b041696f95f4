package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One replica site for the integration tests: a Kafka broker, the upstream publishing to it, and a
 * Keycloak 26.7.3 with our jars that imported realm-config/acme-realm.json. Started once per test
 * JVM (servers are slow to start) and shared by every test class; tests keep apart by using their own
 * subjects and usernames. Looking up users, waiting for tokens and reading the metrics, for any realm of
 * the site, are here, once.
 */
public final class ReplicaSite implements AutoCloseable {

    public static final String REALM = "acme";
    public static final String TOPIC_PREFIX = "acme";
    public static final String CONFIDENTIAL_CLIENT = "replica-confidential";
    public static final String CLIENT_SECRET = "replica-secret";
    public static final String PUBLIC_CLIENT = "replica-public";
    public static final String UPSTREAM_NAME = "the HQ Keycloak";
    public static final String SOURCE = "keycloak://primary/realms/acme";
    static final Duration APPLY_TIMEOUT = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Stack stack;
    private final Upstream upstream;
    private final KeycloakHttp keycloak;

    private ReplicaSite(Stack stack, Upstream upstream) {
        this.stack = stack;
        this.upstream = upstream;
        KeycloakServer server = stack.keycloak("replica");
        this.keycloak = new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
    }

    /** The replica's own lines in full, for diagnosing a failed test; Keycloak's default level for the rest. */
    private static final String TEST_LOG_LEVEL = "INFO,io.github.keycloakreplica:DEBUG";

    /** The shared site: Keycloak on its default embedded H2. */
    static ReplicaSite start() {
        return start(Stack.builder(), TEST_LOG_LEVEL);
    }

    /** A site of its own on a throwaway PostgreSQL, for tests that need the production database. */
    static ReplicaSite startOnPostgres() {
        return start(Stack.builder().postgres(), TEST_LOG_LEVEL);
    }

    /**
     * A site of its own whose Keycloak sets no log level at all, as a server whose operator copied nothing
     * from realm-config/keycloak.conf: for tests of what such a server's log says.
     */
    static ReplicaSite startWithKeycloaksLogDefaults() {
        return start(Stack.builder(), null);
    }

    private static ReplicaSite start(Stack.Builder builder, String logLevel) {
        StackArtifacts artifacts = StackArtifacts.load();
        Upstream[] upstream = new Upstream[1];
        Stack stack = builder
                .keycloak(broker -> {
                    // The topics exist before the replica subscribes, as they would in production.
                    upstream[0] = new Upstream(broker.bootstrapServers(), TOPIC_PREFIX, SOURCE);
                    upstream[0].createTopics(broker, 3);
                    KeycloakServerSpec.Builder spec = KeycloakServerSpec.builder("replica")
                            .realmImport(artifacts.realmFile("acme-realm.json"))
                            .env("REPLICA_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers())
                            .env("REPLICA_TOPIC_PREFIX", TOPIC_PREFIX)
                            .env("REPLICA_CONSUMER_GROUP", "it-site");
                    if (logLevel != null) {
                        spec.option("log-level", logLevel);
                    }
                    return spec.build();
                })
                .start();
        return new ReplicaSite(stack, upstream[0]);
    }

    public Stack stack() {
        return stack;
    }

    public KeycloakServer server() {
        return stack.keycloak("replica");
    }

    public Upstream upstream() {
        return upstream;
    }

    public KeycloakHttp keycloak() {
        return keycloak;
    }

    /** The user of the shared realm as the admin REST API shows it, if the realm has it. */
    public Optional<JsonNode> user(String username) {
        return user(REALM, username);
    }

    /**
     * The user of any realm of this site as the admin REST API shows it, if the realm has it. A failed
     * search fails the test: read as "no such user", it would let a wait for a removal pass on an error.
     */
    Optional<JsonNode> user(String realm, String username) {
        KeycloakHttp.Response r = keycloak.admin("GET", realm + "/users?exact=true&briefRepresentation=false&username="
                + URLEncoder.encode(username, StandardCharsets.UTF_8), null);
        if (r.status() != 200) {
            throw new AssertionError("user search failed: " + r);
        }
        JsonNode users = r.json();
        return users.isEmpty() ? Optional.empty() : Optional.of(users.get(0));
    }

    public JsonNode awaitUser(String username, Predicate<JsonNode> condition) {
        return awaitUser(REALM, username, condition);
    }

    JsonNode awaitUser(String realm, String username, Predicate<JsonNode> condition) {
        return Awaitility.await("user " + username + " in realm " + realm)
                .atMost(APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> user(realm, username).filter(condition).orElse(null), Objects::nonNull);
    }

    /**
     * A token from the realm's confidential client (the shared realm's, or a copy's of it), once the
     * person's password signs in there: replicating a password takes a moment after the person appears.
     */
    KeycloakHttp.Response awaitToken(String realm, String username, String password) {
        return Awaitility.await("token for " + username)
                .atMost(APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> keycloak.passwordGrant(realm, CONFIDENTIAL_CLIENT, CLIENT_SECRET, username, password), r -> r.status() == 200);
    }

    public void awaitNoUser(String username) {
        Awaitility.await("user " + username + " removed")
                .atMost(APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> user(username).isEmpty());
    }

    /** A dead letter of this realm matching the condition, waiting for it to be recorded. */
    public JsonNode awaitDeadLetter(Predicate<JsonNode> condition) {
        return Awaitility.await("dead letter recorded")
                .atMost(APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    KeycloakHttp.Response r = keycloak.admin("GET", REALM + "/replica/dead-letters?max=500", null);
                    if (r.status() != 200) {
                        throw new AssertionError("dead letters: " + r);
                    }
                    for (JsonNode item : r.json().get("items")) {
                        if (condition.test(item)) {
                            return item;
                        }
                    }
                    return null;
                }, Objects::nonNull);
    }

    /** What the server's management interface serves to Prometheus: every meter of every realm, as text. */
    String metrics() {
        return metrics(server());
    }

    private static String metrics(KeycloakServer server) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Fails when a replica component of this site applied a batch again one record per transaction (a
     * failure no check foresaw) or Hibernate refused a flush of the apply engine's: neither may happen in
     * any test, whatever it drives.
     */
    public void assertApplyEngineHealthy() {
        assertApplyEngineHealthy(server());
    }

    /** The same for any replica server, of this site or another fixture's. */
    static void assertApplyEngineHealthy(KeycloakServer server) {
        if (!server.isRunning()) {
            return;
        }
        String metrics = metrics(server);
        List<String> fallbacks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^keycloak_replica_batch_fallbacks_total\\{([^}]*)} (\\S+)$").matcher(metrics);
        while (m.find()) {
            if (Double.parseDouble(m.group(2)) > 0) {
                fallbacks.add(m.group(1) + " = " + m.group(2));
            }
        }
        assertThat(fallbacks).as("batches applied again one record per transaction").isEmpty();
        try {
            assertThat(Files.readString(server.logFile()))
                    .as("the server log").doesNotContain("TransientPropertyValueException");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            upstream.close();
        } finally {
            stack.close();
        }
    }
}
