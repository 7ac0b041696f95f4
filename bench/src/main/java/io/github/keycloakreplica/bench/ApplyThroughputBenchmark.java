package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.StreamEvent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How fast a replica applies versioned events, against Keycloak's own admin REST API writing the same
 * users in the same run, on H2 and on PostgreSQL. Prints its figures; asserts nothing.
 *
 * <p>Replica: N events for M subjects (a creation with roles, groups and attributes, then updates) are
 * published while the replica component is disabled, then it is enabled and timed until every event
 * is applied (the {@code keycloak_replica_events_total{outcome="applied"}} meter). Baseline: 4
 * concurrent admin REST clients create the M users, then update them N times in all.
 */
public final class ApplyThroughputBenchmark {

    private static final int SUBJECTS = Integer.getInteger("bench.subjects", 5000);
    private static final int VERSIONS = Integer.getInteger("bench.versions", 10);
    private static final int ADMIN_UPDATES = Integer.getInteger("bench.adminUpdates", 4000);
    private static final int ADMIN_CLIENTS = 4;
    /** Extra JVM options for the Keycloak server, e.g. a flight recording to find where the time goes. */
    private static final String KEYCLOAK_JVM_OPTIONS = System.getProperty("bench.keycloakJvmOptions", "");
    /** Kafka consumer properties for the replica component (its properties block), to compare settings. */
    private static final String KAFKA_PROPERTIES = System.getProperty("bench.kafkaProperties", "");
    private static final Pattern APPLIED = Pattern.compile(
            "keycloak_replica_events_total\\{[^}]*outcome=\"applied\"[^}]*realm=\"acme\"[^}]*} ([0-9.E+]+)");

    /**
     * @param eventsPerSecond          from enabling the component to the last event applied
     * @param sustainedEventsPerSecond over the second half of the events: without the consumer's start and
     *                                 while the JIT compiler warms Keycloak's and Hibernate's code up
     */
    private record Figures(String database, double eventsPerSecond, double sustainedEventsPerSecond, double adminCreatesPerSecond,
                           double adminUpdatesPerSecond) {
    }

    private ApplyThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Figures> figures = new ArrayList<>();
        for (String database : System.getProperty("bench.databases", "h2,postgres").split(",")) {
            figures.add(run("postgres".equalsIgnoreCase(database.trim())));
        }
        System.out.printf("%n==== apply throughput: %d subjects x %d versions = %d events; baseline %d admin REST clients ====%n",
                SUBJECTS, VERSIONS, SUBJECTS * VERSIONS, ADMIN_CLIENTS);
        System.out.printf("%-11s %18s %20s %22s %22s %18s%n", "database", "replica events/s", "sustained events/s", "admin REST creates/s",
                "admin REST updates/s", "sustained / admin");
        for (Figures f : figures) {
            System.out.printf("%-11s %18.0f %20.0f %22.1f %22.1f %17.1fx%n", f.database(), f.eventsPerSecond(), f.sustainedEventsPerSecond(),
                    f.adminCreatesPerSecond(), f.adminUpdatesPerSecond(), f.sustainedEventsPerSecond() / f.adminUpdatesPerSecond());
        }
        System.exit(0);
    }

    private static Figures run(boolean postgres) throws Exception {
        String database = postgres ? "PostgreSQL" : "H2";
        System.out.printf("%n---- %s: starting Kafka and Keycloak ----%n", database);
        Upstream[] upstream = new Upstream[1];
        Stack.Builder builder = Stack.builder();
        if (postgres) {
            builder.postgres();
        }
        try (Stack stack = builder.keycloak(broker -> {
                    upstream[0] = new Upstream(broker.bootstrapServers(), "acme", "bench://authority");
                    upstream[0].createTopics(broker, 6);
                    return KeycloakServerSpec.builder("bench-" + (postgres ? "pg" : "h2"))
                            .realmImport(StackArtifacts.load().realmFile("acme-realm.json"))
                            .env("REPLICA_CONSUMER_GROUP", "bench")
                            .env("JAVA_OPTS_APPEND", KEYCLOAK_JVM_OPTIONS)
                            .env("REPLICA_KAFKA_PROPERTIES", KAFKA_PROPERTIES)
                            .build();
                })
                .start()) {
            KeycloakServer server = stack.keycloak("bench-" + (postgres ? "pg" : "h2"));
            KeycloakHttp http = new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());

            double[] admin = adminBaseline(http);
            double[] events = replica(http, server, upstream[0]);
            upstream[0].close();
            System.out.printf("%s: replica %.0f events/s (%.0f sustained); admin REST %.1f creates/s, %.1f updates/s%n", database, events[0],
                    events[1], admin[0], admin[1]);
            return new Figures(database, events[0], events[1], admin[0], admin[1]);
        }
    }

    /** Keycloak's own write path for the same users, in a realm of its own with the same user profile. */
    private static double[] adminBaseline(KeycloakHttp http) throws Exception {
        http.admin("POST", "", Map.of("realm", "baseline", "enabled", true));
        http.admin("PUT", "baseline/users/profile", http.admin("GET", "acme/users/profile", null).json());
        http.admin("POST", "baseline/roles", Map.of("name", "operator"));
        http.admin("POST", "baseline/groups", Map.of("name", "ops"));
        String[] ids = new String[SUBJECTS];
        double creates = timed("admin REST creates", SUBJECTS, i -> {
            String username = "admin-" + i;
            KeycloakHttp.Response r = http.admin("POST", "baseline/users", Map.of("username", username, "email", username + "@example.com",
                    "firstName", "First", "lastName", "Last", "enabled", true,
                    "attributes", Map.of("department", List.of("v1"))));
            check(r, 201);
        });
        for (JsonNode user : http.admin("GET", "baseline/users?max=" + (SUBJECTS + 10) + "&briefRepresentation=true", null).json()) {
            ids[Integer.parseInt(user.get("username").asText().substring("admin-".length()))] = user.get("id").asText();
        }
        double updates = timed("admin REST updates", ADMIN_UPDATES, i -> {
            ObjectNode change = KeycloakHttp.JSON.createObjectNode();
            change.put("firstName", "First-" + i);
            change.put("email", "admin-" + (i % SUBJECTS) + "@example.com");
            change.putObject("attributes").putArray("department").add("v" + i);
            check(http.admin("PUT", "baseline/users/" + ids[i % SUBJECTS], change), 204);
        });
        return new double[]{creates, updates};
    }

    /** Applied events per second: overall, and sustained (over the second half of the events). */
    private static double[] replica(KeycloakHttp http, KeycloakServer server, Upstream upstream) throws Exception {
        String componentId = null;
        for (JsonNode c : http.admin("GET", "acme/components?type=org.keycloak.storage.UserStorageProvider", null).json()) {
            componentId = c.get("id").asText();
        }
        setEnabled(http, componentId, false);
        List<StreamEvent> events = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < SUBJECTS; i++) {
            subjects.add(UUID.randomUUID().toString());
        }
        for (int version = 1; version <= VERSIONS; version++) {
            for (int i = 0; i < SUBJECTS; i++) {
                Map<String, Object> change = new LinkedHashMap<>();
                if (version == 1) {
                    change.put("username", "bench-" + i);
                    change.put("email", "bench-" + i + "@example.com");
                    change.put("firstName", "First");
                    change.put("lastName", "Last");
                    change.put("enabled", true);
                    change.put("realmRoles", List.of("operator"));
                    change.put("groups", List.of("/site-a/ops"));
                }
                change.put("firstName", "First-" + version);
                change.put("department", "v" + version);
                events.add(upstream.upsertEvent(subjects.get(i), change));
            }
        }
        long published = System.nanoTime();
        upstream.sendAll(events);
        System.out.printf("published %d events in %.1f s%n", events.size(), (System.nanoTime() - published) / 1e9);

        double before = applied(server);
        long start = System.nanoTime();
        setEnabled(http, componentId, true);
        double target = before + events.size();
        double last = before;
        long lastReport = start;
        long halfSeen = 0;
        double appliedAtHalf = 0;
        while (last < target) {
            // Each look renders every meter of the server, on the cores the replica is measured on.
            Thread.sleep(500);
            last = applied(server);
            if (halfSeen == 0 && last - before >= events.size() / 2.0) {
                halfSeen = System.nanoTime();
                appliedAtHalf = last - before;
            }
            if (System.nanoTime() - lastReport > 5_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.printf("  %.0f of %d applied after %.0f s%n", last - before, events.size(), (lastReport - start) / 1e9);
            }
            if (System.nanoTime() - start > Duration.ofMinutes(20).toNanos()) {
                throw new IllegalStateException("the replica did not apply " + events.size() + " events in 20 minutes");
            }
        }
        long end = System.nanoTime();
        double seconds = (end - start) / 1e9;
        double rate = events.size() / seconds;
        double secondHalf = (end - halfSeen) / 1e9;
        double sustained = halfSeen == 0 || secondHalf < 1 ? rate : (events.size() - appliedAtHalf) / secondHalf;
        System.out.printf("replica applied %d events in %.1f s: %.0f events/s; %.0f events/s over the second half%n",
                events.size(), seconds, rate, sustained);
        return new double[]{rate, sustained};
    }

    private static void setEnabled(KeycloakHttp http, String componentId, boolean enabled) {
        ObjectNode component = (ObjectNode) http.admin("GET", "acme/components/" + componentId, null).json();
        ((ObjectNode) component.get("config")).putArray("enabled").add(String.valueOf(enabled));
        check(http.admin("PUT", "acme/components/" + componentId, component), 204);
    }

    private static double applied(KeycloakServer server) throws Exception {
        HttpResponse<String> metrics = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.managementUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        double total = 0;
        Matcher m = APPLIED.matcher(metrics.body());
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }

    private static double timed(String what, int count, IntConsumer task) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(ADMIN_CLIENTS);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < ADMIN_CLIENTS; c++) {
            running.add(clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                    task.accept(i);
                }
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        clients.shutdown();
        double rate = count / ((System.nanoTime() - start) / 1e9);
        System.out.printf("%s: %d in %.1f s: %.1f/s%n", what, count, (System.nanoTime() - start) / 1e9, rate);
        return rate;
    }

    private static void check(KeycloakHttp.Response response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("expected " + status + ": " + response);
        }
    }
}
