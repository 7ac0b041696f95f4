package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.LocalPostgres;
import io.github.keycloakreplica.stack.LogTail;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Consumer;
import java.util.function.Predicate;

import static io.github.keycloakreplica.it.OutageSite.backlog;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes of one primary Keycloak on one PostgreSQL, publishing realm {@value PrimarySite#REALM} to one broker: one
 * person changed through both nodes at once, the relay's node frozen (SIGSTOP) and later thawed, and the relay's node
 * killed (SIGKILL) while changes keep coming through the other. What the publisher promises is read from the topics
 * themselves (no replica: a replica would only add its own reading of them): per attribute, the published versions go
 * 1, 2, 3 and so on with no gap and no version given to two different events (a record sent again with the same event id is
 * at-least-once, and allowed); the person's last snapshot equals the person at the primary; the other node takes the
 * relay over within the lease; and a former relay that wakes up publishes nothing more.
 *
 * <p><b>Caches.</b> The nodes run start-dev's local caches, not a cluster, and without Keycloak's user cache
 * ({@code --spi-user-cache--default--enabled=false}). A cluster ({@code --cache=ispn}, JGroups on loopback with
 * JDBC_PING in this PostgreSQL) is possible but not needed and would hurt here: the publisher shares nothing through
 * the caches (the lease is a database row, fencing is Kafka's, the relay reads people from the database, never the
 * cache), while a cluster member frozen by SIGSTOP stalls the other node's synchronous cache traffic until JGroups
 * suspects it, which is a Keycloak matter this test would only wait out, and starting a cluster costs time CI does
 * not have. Local caches alone would be wrong the other way: a node's cached user goes stale when the other node
 * changes them, so its admin REST would read, and write back, an old person. Without the user cache every read of
 * a person on either node is the database's, which is what a cluster's invalidations give a real site.
 *
 * <p><b>A frozen node's locks.</b> PostgreSQL keeps a frozen node's open transaction, and its row locks, for as long as
 * the node stays frozen: frozen in the middle of one of the relay's short transactions, it would hold the relay row
 * (or the outbox rows it deleted) and the takeover would wait for the thaw. This PostgreSQL ends a transaction left
 * idle for 20 s ({@code idle_in_transaction_session_timeout}), as docs/publisher.md asks of a site with several nodes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoPrimaryNodesIT {

    /** The relay's lease (PublisherRelay.LEASE); a node without it looks every 2 s whether it ran out. */
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration TAKEOVER = LEASE.plusSeconds(15);
    private static final Duration QUIET = Duration.ofSeconds(60);
    private static final int PUTS_PER_WRITER = 12;
    private static final String IDLE_IN_TRANSACTION = "idle_in_transaction_session_timeout = '20s'";
    private static final String TEST_LOG_LEVEL = "INFO,io.github.keycloakreplica:DEBUG";

    private static Stack stack;
    private static List<Node> nodes;
    private static Topics topics = new Topics(PrimarySite.TOPIC_PREFIX);

    @RegisterExtension
    static final TestWatcher LOGS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (stack != null) {
                StringBuilder out = new StringBuilder();
                for (KeycloakServer server : stack.keycloaks()) {
                    out.append("---- keycloak ").append(server.name()).append(": ").append(server.logFile()).append('\n')
                            .append(LogTail.tail(server.logFile(), 80)).append('\n');
                }
                System.err.println("\n==== " + context.getDisplayName() + " failed; server logs follow ====\n" + out);
            }
        }
    };

    /** One node of the primary: its server and its admin REST. */
    record Node(KeycloakServer server, KeycloakHttp http) {

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

    @BeforeAll
    static void start() {
        StackArtifacts artifacts = StackArtifacts.load();
        // As docs/publisher.md asks of a site: a node frozen inside one of its transactions would otherwise keep that
        // transaction's row locks (the relay row's, the outbox rows it deleted) until it thaws, and the takeover with
        // them. Only this class's PostgreSQL gets it.
        String settings = System.getProperty(LocalPostgres.SETTINGS_PROPERTY);
        System.setProperty(LocalPostgres.SETTINGS_PROPERTY, settings == null ? IDLE_IN_TRANSACTION : settings + ";" + IDLE_IN_TRANSACTION);
        try {
            stack = startStack(artifacts);
        } finally {
            if (settings == null) {
                System.clearProperty(LocalPostgres.SETTINGS_PROPERTY);
            } else {
                System.setProperty(LocalPostgres.SETTINGS_PROPERTY, settings);
            }
        }
        // One after the other: the second finds the realm imported and the schema made.
        KeycloakServer second = stack.startNode("primary-1", "primary-2");
        nodes = List.of(node(stack.keycloak("primary-1")), node(second));
    }

    private static Stack startStack(StackArtifacts artifacts) {
        return Stack.builder().postgres()
                .keycloak(KeycloakServerSpec.builder("primary-1")
                        .realmImport(artifacts.realmFile("acme-primary-realm.json"))
                        .env("REPLICA_TOPIC_PREFIX", PrimarySite.TOPIC_PREFIX)
                        .env("REPLICA_PUBLISHER_HEARTBEAT_SECONDS", "1")
                        .env("REPLICA_PUBLISHER_RECONCILE_SECONDS", "60")
                        .option("spi-user-cache--default--enabled", "false")
                        .option("log-level", TEST_LOG_LEVEL)
                        .build())
                .start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void concurrentChangesOfOnePersonThroughBothNodesAreVersionedOneByOne() throws Exception {
        Node one = nodes.get(0);
        Node two = nodes.get(1);
        String id = create(one, "twin");
        // Two writers per node: each node changes attributes of its own, and both change "shared" at once; every PUT
        // sends the whole person as it was just read, as the console does.
        List<Writer> writers = List.of(
                new Writer(one, (u, k) -> {
                    u.put("firstName", "One" + k);
                    OutageSite.attributes(u).putArray("shared").add("one-" + k);
                }),
                new Writer(two, (u, k) -> {
                    u.put("lastName", "Two" + k);
                    OutageSite.attributes(u).putArray("shared").add("two-" + k);
                }),
                new Writer(one, (u, k) -> OutageSite.attributes(u).putArray("only-one").add("v" + k)),
                new Writer(two, (u, k) -> OutageSite.attributes(u).putArray("only-two").add("v" + k)));
        CyclicBarrier together = new CyclicBarrier(writers.size());
        Map<Integer, Integer> outcomes = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> running = new ArrayList<>();
        for (int w = 0; w < writers.size(); w++) {
            Writer writer = writers.get(w);
            running.add(CompletableFuture.runAsync(() -> {
                await(together);
                for (int k = 1; k <= PUTS_PER_WRITER; k++) {
                    int step = k;
                    outcomes.merge(change(writer.node(), id, u -> writer.edit().accept(u, step)), 1, Integer::sum);
                }
            }, task -> new Thread(task, "writer-" + writers.indexOf(writer)).start()));
        }
        CompletableFuture.allOf(running.toArray(new CompletableFuture<?>[0])).get();
        System.out.println("TwoPrimaryNodesIT concurrent PUTs through both nodes, by answer: " + outcomes);
        // Keycloak itself may refuse a PUT that raced another on the same rows; a refused change rolls back, and the
        // publisher then has nothing of it to publish. Most go through.
        assertThat(outcomes.getOrDefault(204, 0)).as("PUTs that went through, of " + writers.size() * PUTS_PER_WRITER + ": " + outcomes)
                .isGreaterThanOrEqualTo(writers.size() * PUTS_PER_WRITER / 2);

        JsonNode quiet = awaitQuiet(one);
        JsonNode atTwo = two.status();
        assertThat(atTwo.at("/relay/owner").asText()).as("the relay as node two sees it").isEqualTo(quiet.at("/relay/owner").asText());
        assertThat(atTwo.at("/relay/epoch").asLong()).isEqualTo(quiet.at("/relay/epoch").asLong());

        Published published = published(id);
        assertThat(published.problems()).as("versions of " + id).isEmpty();
        assertThat(published.events()).as("identity records of " + id).hasSizeGreaterThan(5);
        System.out.printf("TwoPrimaryNodesIT concurrent: %d identity records of the person, last versions %s, %d sent again%n",
                published.events().size(), published.lastVersions(), published.repeats());
        assertThat(published.lastVersions().get("firstName")).as("firstName's versions").isGreaterThan(2);
        assertThat(published.lastVersions().get("shared")).as("shared's versions").isGreaterThan(2);
        assertSnapshotIsThePerson(id);
    }

    /**
     * The relay's node frozen in the middle of a Kafka transaction: the other takes over once the lease ran out and
     * publishes on; its producer, initialized with the realm's transactional id, has Kafka abort the frozen relay's open
     * transaction. Thawed, the former relay finds its transaction fenced (or timed out) and its lease gone, and steps
     * down: nothing it had in hand reaches the topics, its deletion of outbox rows loses nothing, and it does not claim
     * the relay back.
     */
    @Test
    @Order(2)
    void aFrozenRelayIsTakenOverAndPublishesNothingOnceThawed() throws Exception {
        JsonNode before = awaitQuiet(nodes.get(0));
        Node relay = nodeOf(before.at("/relay/owner").asText());
        Node other = otherThan(relay);
        long epoch = before.at("/relay/epoch").asLong();
        String id = create(other, "frozen");
        JsonNode taken;
        Map<TopicPartition, Long> thawedAt;
        int logMark;
        Duration takeover;
        try (Changer changer = new Changer(other, id, "frozen")) {
            Thread.sleep(1_500);
            // The relay's node freezes in the middle of a Kafka transaction: with the broker frozen for two seconds
            // first, the relay's next batch or heartbeat waits unanswered inside its transaction (for at most its 10 s
            // max.block.ms) when the node stops.
            stack.broker().pause();
            long frozen;
            try {
                Thread.sleep(2_000);
                frozen = System.nanoTime();
                relay.server().pause();
            } finally {
                stack.broker().resume();
            }
            try {
                taken = awaitStatus(other, "the other node takes the relay over", TAKEOVER, s -> s.at("/relay/epoch").asLong() > epoch);
                takeover = Duration.ofNanos(System.nanoTime() - frozen);
                long publishedThen = taken.get("published").asLong();
                awaitStatus(other, "the new relay publishes", QUIET, s -> s.get("published").asLong() >= publishedThen + 6);
                thawedAt = TopicLog.ends(bootstrap(), deltaTopics());
                logMark = relay.log().length();
            } finally {
                relay.server().resume();
            }
            // The thawed node's relay goes on from where it stood, while changes keep coming through the other.
            Thread.sleep(6_000);
            changer.assertMostWentThrough();
        }
        assertThat(taken.at("/relay/owner").asText()).as("the new owner").isNotEqualTo(before.at("/relay/owner").asText());
        assertThat(nodeOf(taken.at("/relay/owner").asText())).as("the node that took over").isEqualTo(other);
        assertThat(taken.at("/relay/epoch").asLong()).as("the epoch after one takeover").isEqualTo(epoch + 1);
        assertThat(takeover).as("time to take over").isLessThanOrEqualTo(TAKEOVER);

        JsonNode quiet = awaitQuiet(other);
        for (Node node : nodes) {
            JsonNode status = node.status();
            assertThat(status.at("/relay/owner").asText()).as("the owner as " + node + " sees it").isEqualTo(taken.at("/relay/owner").asText());
            assertThat(status.at("/relay/epoch").asLong()).as("the epoch as " + node + " sees it").isEqualTo(epoch + 1);
        }
        String thawedLog = relay.log().substring(logMark);
        boolean leaseGone = thawedLog.contains("the relay's lease went to another node");
        boolean fenced = thawedLog.contains("Kafka fenced this one");
        System.out.printf("TwoPrimaryNodesIT frozen: taken over in %d ms; the thawed relay: %s, %s; fenced count %d%n",
                takeover.toMillis(), fenced ? "Kafka fenced it" : "Kafka did not say it was fenced",
                leaseGone ? "its lease was gone" : "no word of its lease", quiet.at("/relay/fenced").asLong());
        thawedLog.lines().filter(l -> l.contains("PublisherRelay")).limit(5).forEach(l -> System.out.println("  thawed relay: " + l));
        assertThat(leaseGone || fenced).as("the thawed relay said it stepped down:\n" + thawedLog).isTrue();
        assertThat(thawedLog).as("the thawed node claimed the relay again").doesNotContain("relays the realm's changes now");

        // What the thawed relay had in hand was sent by the new relay already: anything of it on the topics after the
        // thaw would come again with an event id seen before.
        List<TopicLog.Published> all = TopicLog.all(bootstrap(), deltaTopics());
        Set<String> seenBefore = new HashSet<>();
        List<String> again = new ArrayList<>();
        for (TopicLog.Published record : all) {
            String eventId = record.event().envelope().id();
            if (record.offset() < thawedAt.get(new TopicPartition(record.topic(), record.partition()))) {
                seenBefore.add(eventId);
            } else if (!seenBefore.add(eventId)) {
                again.add(record.topic() + "-" + record.partition() + "@" + record.offset() + " " + eventId);
            }
        }
        assertThat(again).as("records after the thaw that had been sent before").isEmpty();
        Published published = published(id);
        assertThat(published.problems()).as("versions of " + id).isEmpty();
        assertSnapshotIsThePerson(id);
    }

    /** The relay's node killed while changes keep coming through the other node, which takes over and publishes all. */
    @Test
    @Order(3)
    void theRelaysNodeKilledTheOtherTakesOverAndPublishesEverything() throws Exception {
        JsonNode before = awaitQuiet(nodes.get(0));
        Node relay = nodeOf(before.at("/relay/owner").asText());
        Node survivor = otherThan(relay);
        long epoch = before.at("/relay/epoch").asLong();
        String id = create(survivor, "killed");
        JsonNode taken;
        Duration takeover;
        try (Changer changer = new Changer(survivor, id, "killed")) {
            Thread.sleep(1_500);
            long killed = System.nanoTime();
            relay.server().kill();
            taken = awaitStatus(survivor, "the survivor takes the relay over", TAKEOVER, s -> s.at("/relay/epoch").asLong() > epoch);
            takeover = Duration.ofNanos(System.nanoTime() - killed);
            Thread.sleep(3_000);
            changer.assertMostWentThrough();
        }
        assertThat(nodeOf(taken.at("/relay/owner").asText())).as("the node that took over").isEqualTo(survivor);
        assertThat(taken.at("/relay/epoch").asLong()).isEqualTo(epoch + 1);
        assertThat(takeover).as("time to take over").isLessThanOrEqualTo(TAKEOVER);
        awaitQuiet(survivor);
        Published published = published(id);
        System.out.printf("TwoPrimaryNodesIT killed: taken over in %d ms; %d identity records of the person, %d sent again%n",
                takeover.toMillis(), published.events().size(), published.repeats());
        assertThat(published.problems()).as("versions of " + id).isEmpty();
        assertSnapshotIsThePerson(id);
    }

    /** A writer of test 1: its node, and what its k-th PUT changes. */
    private record Writer(Node node, java.util.function.BiConsumer<ObjectNode, Integer> edit) {
    }

    /** Changes one person through one node, about five times a second, until closed; every answer counted. */
    private static final class Changer implements AutoCloseable {

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
                    sleep(200);
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
    private record Published(List<StreamEvent> events, List<String> problems, int repeats, Map<String, Long> lastVersions) {
    }

    private static Published published(String subject) {
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

    /** The person's newest record on the compacted identity snapshot topic shows them as both nodes' admin REST does. */
    private static void assertSnapshotIsThePerson(String id) {
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

    private static String create(Node node, String prefix) {
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
    private static int change(Node node, String id, Consumer<ObjectNode> edit) {
        KeycloakHttp.Response read = node.http().admin("GET", REALM + "/users/" + id, null);
        if (read.status() != 200) {
            return read.status();
        }
        ObjectNode user = (ObjectNode) read.json();
        user.remove(List.of("userProfileMetadata", "access"));
        edit.accept(user);
        return node.http().admin("PUT", REALM + "/users/" + id, user).status();
    }

    private static JsonNode awaitQuiet(Node node) {
        return awaitStatus(node, "the publisher quiet at " + node, QUIET,
                s -> backlog(s) == 0 && s.at("/relay/leaseLive").asBoolean() && !s.path("lastHeartbeatAt").isNull());
    }

    private static JsonNode awaitStatus(Node node, String what, Duration within, Predicate<JsonNode> condition) {
        return Awaitility.await(what).atMost(within).pollInterval(Duration.ofMillis(250)).until(node::status, condition);
    }

    /** The node whose log names this relay owner: each node names only itself when it takes the relay. */
    private static Node nodeOf(String owner) {
        List<Node> named = nodes.stream().filter(n -> n.log().contains(owner)).toList();
        assertThat(named).as("the node of relay owner " + owner).hasSize(1);
        return named.get(0);
    }

    private static Node otherThan(Node node) {
        return nodes.get(0).equals(node) ? nodes.get(1) : nodes.get(0);
    }

    private static Node node(KeycloakServer server) {
        return new Node(server, new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword()));
    }

    private static String bootstrap() {
        return stack.broker().bootstrapServers();
    }

    private static List<String> deltaTopics() {
        return List.of(topics.identity(), topics.credentials());
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
