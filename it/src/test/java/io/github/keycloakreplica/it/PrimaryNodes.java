package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.LocalPostgres;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static io.github.keycloakreplica.it.OutageSite.backlog;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The site of {@link TwoPrimaryNodesIT}: one PostgreSQL, one broker and two nodes of a primary Keycloak publishing
 * realm {@value PrimarySite#REALM} (realm-config/acme-primary-realm.json), without Keycloak's user cache (the test's
 * javadoc says why), and no replica; what the nodes do to one person, what their publisher's status says, and what
 * the topics hold of the person.
 */
final class PrimaryNodes implements AutoCloseable {

    /**
     * As docs/publisher.md asks of a site with several nodes: a node frozen inside one of its transactions would
     * otherwise keep that transaction's row locks (the relay row's, the outbox rows it deleted) until it thaws, and
     * hold the takeover up with them.
     */
    private static final String IDLE_IN_TRANSACTION = "idle_in_transaction_session_timeout = '20s'";
    private static final String TEST_LOG_LEVEL = "INFO,io.github.keycloakreplica:DEBUG";
    /** How long the publisher may take to have nothing waiting. */
    private static final Duration QUIET = Duration.ofSeconds(60);

    private final Stack stack;
    private final List<Node> nodes;
    private final Topics topics = new Topics(PrimarySite.TOPIC_PREFIX);

    /** One node of the primary: its server and its admin REST. */
    record Node(KeycloakServer server, KeycloakHttp http) {

        /** {@code GET /admin/realms/acme/replica-publisher/status} at this node. */
        JsonNode status() {
            return PrimarySite.get(http, "replica-publisher/status");
        }

        String log() {
            try {
                return new String(Files.readAllBytes(server.logFile()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return server.name();
        }
    }

    private PrimaryNodes(Stack stack, List<Node> nodes) {
        this.stack = stack;
        this.nodes = nodes;
    }

    /** The first node on a new PostgreSQL, then the second on the same database, which finds the realm imported. */
    static PrimaryNodes start() {
        StackArtifacts artifacts = StackArtifacts.load();
        // Only this site's PostgreSQL gets the setting: the property is read when the stack starts it.
        String settings = System.getProperty(LocalPostgres.SETTINGS_PROPERTY);
        System.setProperty(LocalPostgres.SETTINGS_PROPERTY, settings == null ? IDLE_IN_TRANSACTION : settings + ";" + IDLE_IN_TRANSACTION);
        Stack stack;
        try {
            stack = Stack.builder().postgres()
                    .keycloak(KeycloakServerSpec.builder("primary-1")
                            .realmImport(artifacts.realmFile("acme-primary-realm.json"))
                            .env("REPLICA_TOPIC_PREFIX", PrimarySite.TOPIC_PREFIX)
                            .env("REPLICA_PUBLISHER_HEARTBEAT_SECONDS", "1")
                            .env("REPLICA_PUBLISHER_RECONCILE_SECONDS", "60")
                            .option("spi-user-cache--default--enabled", "false")
                            .option("log-level", TEST_LOG_LEVEL)
                            .build())
                    .start();
        } finally {
            if (settings == null) {
                System.clearProperty(LocalPostgres.SETTINGS_PROPERTY);
            } else {
                System.setProperty(LocalPostgres.SETTINGS_PROPERTY, settings);
            }
        }
        try {
            KeycloakServer second = stack.startNode("primary-1", "primary-2");
            return new PrimaryNodes(stack, List.of(node(stack.keycloak("primary-1")), node(second)));
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    Stack stack() {
        return stack;
    }

    Node node(int index) {
        return nodes.get(index);
    }

    List<Node> nodes() {
        return nodes;
    }

    /** The node whose log names this relay owner: each node names only itself when it takes the relay. */
    Node nodeOf(String owner) {
        List<Node> named = nodes.stream().filter(n -> n.log().contains(owner)).toList();
        assertThat(named).as("the node of relay owner " + owner).hasSize(1);
        return named.get(0);
    }

    Node otherThan(Node node) {
        return nodes.get(0).equals(node) ? nodes.get(1) : nodes.get(0);
    }

    /** Nothing waits at the publisher (no intent, no outbox row), and a relay holds the lease and sent a heartbeat. */
    JsonNode awaitQuiet(Node node) {
        return awaitStatus(node, "the publisher quiet at " + node, QUIET,
                s -> backlog(s) == 0 && s.at("/relay/leaseLive").asBoolean() && !s.path("lastHeartbeatAt").isNull());
    }

    JsonNode awaitStatus(Node node, String what, Duration within, Predicate<JsonNode> condition) {
        return Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(250)).until(node::status, condition);
    }

    /** A new person made through this node; their id. */
    String create(Node node, String prefix) {
        String username = People.uniqueName(prefix);
        KeycloakHttp.Response created = node.http().admin("POST", REALM + "/users", Map.of("username", username, "email",
                username + "@example.com", "firstName", "Alice", "lastName", "Example", "enabled", true,
                "attributes", Map.of("department", List.of("engineering"))));
        assertThat(created.status()).as("create " + username + ": " + created).isEqualTo(201);
        JsonNode found = PrimarySite.get(node.http(), "users?exact=true&username=" + username);
        assertThat(found).as("created " + username).hasSize(1);
        return found.get(0).get("id").asText();
    }

    /** The person as the node shows them now, changed and sent back whole, as the admin console does; the answer's status. */
    static int change(Node node, String id, Consumer<ObjectNode> edit) {
        KeycloakHttp.Response read = node.http().admin("GET", REALM + "/users/" + id, null);
        if (read.status() != 200) {
            return read.status();
        }
        ObjectNode user = (ObjectNode) read.json();
        user.remove(List.of("userProfileMetadata", "access"));
        edit.accept(user);
        return node.http().admin("PUT", REALM + "/users/" + id, user).status();
    }

    /** Changes one person through one node, about five times a second, until closed; every answer counted. */
    static final class Changer implements AutoCloseable {

        private final Thread thread;
        private final Map<Integer, Integer> outcomes = new ConcurrentHashMap<>();
        private volatile boolean running = true;

        Changer(Node node, String id, String tag) {
            thread = new Thread(() -> {
                for (int k = 1; running; k++) {
                    int step = k;
                    int answer;
                    try {
                        answer = change(node, id, u -> {
                            u.put("firstName", tag + step);
                            OutageSite.attributes(u).putArray("step").add(tag + "-" + step);
                        });
                    } catch (RuntimeException e) {
                        answer = -1;
                    }
                    outcomes.merge(answer, 1, Integer::sum);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "changer-" + tag);
            thread.start();
        }

        void assertMostWentThrough() {
            Map<Integer, Integer> now = new TreeMap<>(outcomes);
            int all = now.values().stream().mapToInt(Integer::intValue).sum();
            System.out.println("TwoPrimaryNodesIT changes through the other node, by answer: " + now);
            assertThat(now.getOrDefault(204, 0)).as("changes that went through: " + now).isGreaterThanOrEqualTo(Math.max(1, all * 9 / 10));
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
        }
    }

    /** What the delta topics hold of one subject, judged by {@link TopicLog#problemsInOrder}. */
    record Published(List<StreamEvent> events, List<String> problems, int repeats, Map<String, Long> lastVersions) {
    }

    Published published(String subject) {
        List<StreamEvent> events = TopicLog.eventsBySubject(TopicLog.all(bootstrap(), List.of(topics.identity())))
                .getOrDefault(subject, List.of());
        TopicLog.Order order = TopicLog.problemsInOrder(subject, events);
        Map<String, Long> last = new TreeMap<>();
        events.forEach(e -> last.putAll(TopicLog.versionsOf(e)));
        List<StreamEvent> credentials = TopicLog.eventsBySubject(TopicLog.all(bootstrap(), List.of(topics.credentials())))
                .getOrDefault(subject, List.of());
        List<String> problems = new ArrayList<>(order.problems());
        problems.addAll(TopicLog.problemsInOrder(subject, credentials).problems());
        return new Published(events, problems, order.repeats(), last);
    }

    /** The person's newest record on the compacted identity snapshot topic shows them as every running node's admin REST does. */
    void assertSnapshotIsThePerson(String id) {
        IdentitySnapshot last = null;
        for (TopicLog.Published record : TopicLog.all(bootstrap(), List.of(topics.identitySnapshot()))) {
            if (id.equals(record.key())) {
                last = (IdentitySnapshot) record.event();
            }
        }
        assertThat(last).as("a snapshot of " + id).isNotNull();
        Map<String, List<String>> snapshot = new TreeMap<>();
        last.attributes().forEach((name, value) -> {
            if (!value.isAbsent() && !name.equals("realmRoles") && !name.equals("groups") && !name.startsWith("clientRoles.")) {
                snapshot.put(name, value.asList().stream().sorted().toList());
            }
        });
        for (Node node : nodes) {
            if (node.server().isRunning()) {
                assertThat(snapshot).as("the last snapshot of " + id + " vs the person at " + node)
                        .isEqualTo(comparable(PrimarySite.get(node.http(), "users/" + id)));
            }
        }
    }

    /** A person as admin REST shows them, in the snapshot's terms: every value a sorted list of strings. */
    private static Map<String, List<String>> comparable(JsonNode user) {
        Map<String, List<String>> fields = new TreeMap<>();
        for (String field : List.of("username", "email", "firstName", "lastName")) {
            if (user.hasNonNull(field)) {
                fields.put(field, List.of(user.get(field).asText()));
            }
        }
        fields.put("enabled", List.of(String.valueOf(user.path("enabled").asBoolean())));
        fields.put("emailVerified", List.of(String.valueOf(user.path("emailVerified").asBoolean())));
        user.path("attributes").properties().forEach(a -> fields.put(a.getKey(), People.names(a.getValue(), null).stream().sorted().toList()));
        return fields;
    }

    String bootstrap() {
        return stack.broker().bootstrapServers();
    }

    List<String> deltaTopics() {
        return List.of(topics.identity(), topics.credentials());
    }

    /** The tails of the broker's and both nodes' logs, for a failed test's report. */
    String logTails(int lines) {
        return stack.logTails(lines);
    }

    @Override
    public void close() {
        stack.close();
    }

    private static Node node(KeycloakServer server) {
        return new Node(server, new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword()));
    }
}
