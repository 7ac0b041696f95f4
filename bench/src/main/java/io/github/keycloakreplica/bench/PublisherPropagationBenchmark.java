package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The publisher at work, on PostgreSQL: a primary Keycloak publishing realm {@value #REALM} (the
 * {@code replica-publisher} component of realm-config/acme-primary-realm.json) and a replica Keycloak following it
 * (realm-config/acme-realm.json), each on a database of its own, with one Kafka broker. Prints its figures; asserts
 * nothing.
 *
 * <p>Propagation: admin REST updates at the primary at a fixed rate (lastName, firstName and email of a pool of
 * people in turn), each timed from the primary's 2xx answer until the replica's admin REST shows the new value
 * ({@link PropagationObserver}).
 *
 * <p>Overhead: the same steady load of admin updates, with password-grant sign-ins beside it, against realm
 * {@value #REALM} (publisher on) and realm {@value #PLAIN} (the same realm file without the publisher component) of
 * the same primary, in phases ON, OFF, OFF, ON, repeated, so that drift of the machine falls on both. The replica
 * is stopped first: on this 2-core machine it would apply the ON phases' changes on the primary's cores.
 */
public final class PublisherPropagationBenchmark {

    static final String REALM = "acme";
    static final String PLAIN = "plain";
    static final String CLIENT = "replica-confidential";
    static final String CLIENT_SECRET = "replica-secret";
    static final String PASSWORD = "bench-Passw0rd-1";

    private static final int PEOPLE = Integer.getInteger("bench.publisher.people", 200);
    static final int SIGN_IN_PEOPLE = 10;
    static final double RATE = Double.parseDouble(System.getProperty("bench.publisher.rate", "25"));
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.publisher.warmUpSeconds", 10);
    private static final int SECONDS = Integer.getInteger("bench.publisher.seconds", 60);
    private static final int POLL_MILLIS = Integer.getInteger("bench.publisher.pollMillis", 20);
    static final int PHASES = Integer.getInteger("bench.publisher.phases", 8);
    static final int PHASE_SECONDS = Integer.getInteger("bench.publisher.phaseSeconds", 12);
    static final double SIGN_IN_RATE = Double.parseDouble(System.getProperty("bench.publisher.signInRate", "2"));
    private static final double TARGET_P99_MILLIS = 500;
    static final double TARGET_RATIO = 1.05;
    static final String[] FIELDS = {"lastName", "firstName", "email"};
    /** Numbers every change of the run, so that each one sets a value the field never had. */
    static final AtomicLong SEQUENCE = new AtomicLong();

    private PublisherPropagationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long began = System.nanoTime();
        StackArtifacts artifacts = StackArtifacts.load();
        Path plainRealm = plainRealmFile(artifacts.realmFile("acme-primary-realm.json"));
        System.out.printf("%n---- publisher benchmark: starting Kafka, PostgreSQL, a primary and a replica Keycloak (%d cores) ----%n",
                Runtime.getRuntime().availableProcessors());
        try (Stack stack = Stack.builder().postgres()
                .keycloak(KeycloakServerSpec.builder("primary")
                        .realmImport(artifacts.realmFile("acme-primary-realm.json"), plainRealm)
                        .env("REPLICA_TOPIC_PREFIX", REALM)
                        .build())
                .keycloak(KeycloakServerSpec.builder("replica")
                        .realmImport(artifacts.realmFile("acme-realm.json"))
                        .env("REPLICA_TOPIC_PREFIX", REALM)
                        .env("REPLICA_CONSUMER_GROUP", "bench-publisher")
                        .build())
                .start()) {
            System.out.printf("started in %.0f s: %s%n", (System.nanoTime() - began) / 1e9, stack);
            KeycloakHttp primary = http(stack.keycloak("primary"));
            KeycloakHttp replica = http(stack.keycloak("replica"));
            CpuMeter meter = new CpuMeter(Map.of("primary", stack.keycloak("primary").home().toString(), "replica",
                    stack.keycloak("replica").home().toString(), "kafka", stack.workDir().resolve("kafka").toString()),
                    stack.postgres().logFile().getParent().resolve("data").toString(), List.of("primary", "replica"));

            List<Person> published = createPeople(primary, REALM, "pub");
            List<Person> plain = createPeople(primary, PLAIN, "plain");
            awaitAtReplica(replica, PEOPLE);

            Propagation propagation = propagation(primary, replica, published, stack.broker().bootstrapServers(), meter);
            long stopping = System.nanoTime();
            stack.keycloak("replica").stop();
            System.out.printf("replica stopped in %.1f s%n", (System.nanoTime() - stopping) / 1e9);
            PublisherOverhead overhead = new PublisherOverhead(primary, published, plain, meter).run();

            report(propagation, overhead);
        }
        System.out.printf("whole run, servers stopped: %.0f s%n", (System.nanoTime() - began) / 1e9);
        System.exit(0);
    }

    private record Propagation(Percentiles latencies, Percentiles windows, Percentiles toKafka, Percentiles fromKafka,
                               Percentiles primaryAnswers, int changes, int failed, int skipped, int late, long unseen, long reads,
                               long readErrors, double meanReadMillis) {
    }

    private static Propagation propagation(KeycloakHttp primary, KeycloakHttp replica, List<Person> people, String bootstrapServers,
                                           CpuMeter meter) throws Exception {
        System.out.printf("%n---- propagation: %.0f admin updates/s for %d s (the first %d s to warm up, not counted) ----%n", RATE,
                WARM_UP_SECONDS + SECONDS, WARM_UP_SECONDS);
        // A person changes again only once their last change was seen, so each change is one value to look for.
        ConcurrentLinkedQueue<Person> idle = new ConcurrentLinkedQueue<>(people);
        PropagationObserver observer = new PropagationObserver(replica, REALM, POLL_MILLIS, idle::add);
        Thread watching = new Thread(observer, "replica-observer");
        watching.setDaemon(true);
        watching.start();
        PublishedWatcher kafka = new PublishedWatcher(bootstrapServers, REALM + ".identity", observer);
        Thread reading = new Thread(kafka, "kafka-watcher");
        reading.setDaemon(true);
        reading.start();
        Thread.sleep(2_000);
        ExecutorService workers = SteadyLoad.workers("update", 8);
        AtomicInteger changes = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        List<Long> answers = Collections.synchronizedList(new ArrayList<>());
        Map<String, Long> cpuBefore = meter.sample();
        long loadStart = System.nanoTime();
        long measureFrom = loadStart + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
        SteadyLoad load = new SteadyLoad("propagation", RATE, TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS + SECONDS), workers).start(planned -> {
            Person person = idle.poll();
            if (person == null) {
                skipped.incrementAndGet();
                return;
            }
            long n = SEQUENCE.incrementAndGet();
            String field = FIELDS[(int) (n % FIELDS.length)];
            String value = valueOf(field, person, n);
            boolean measured = planned >= measureFrom;
            ObjectNode body = person.changed(field, value);
            try {
                String token = primary.adminToken();
                long start = System.nanoTime();
                KeycloakHttp.Response r = primary.withToken(token, "PUT", "/admin/realms/" + REALM + "/users/" + person.id(), body);
                long answered = System.nanoTime();
                if (r.status() / 100 == 2) {
                    observer.expect(new PropagationObserver.Change(person, field, value, measured, answered));
                    if (measured) {
                        changes.incrementAndGet();
                        answers.add(answered - start);
                    }
                    return;
                }
                failure(failed, "update " + n + ": " + r);
            } catch (RuntimeException e) {
                failure(failed, "update " + n + ": " + e);
            }
            idle.add(person);
        });
        load.await();
        workers.shutdown();
        workers.awaitTermination(60, TimeUnit.SECONDS);
        long drain = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (observer.pending() > 0 && System.nanoTime() < drain) {
            Thread.sleep(50);
        }
        long unseen = observer.unseenMeasured();
        System.out.printf("CPU time during the load (%d s) and its drain: %s%n", WARM_UP_SECONDS + SECONDS,
                CpuMeter.format(CpuMeter.between(cpuBefore, meter.sample())));
        observer.stop();
        kafka.stop();
        watching.join(10_000);
        reading.join(10_000);
        System.out.printf("records read from %s.identity by the benchmark: %d%s%n", REALM, kafka.records(),
                kafka.failure() == null ? "" : "; the reader failed: " + kafka.failure());
        for (PropagationObserver.Change c : observer.slowest(8)) {
            System.out.printf(Locale.ROOT, "  slow: answered at %6.2f s of the load, %-9s to Kafka %5.0f ms, Kafka to replica %5.0f ms, total %5.0f ms%n",
                    (c.answeredAt - loadStart) / 1e9, c.field, c.publishedAt == 0 ? Double.NaN : (c.publishedAt - c.answeredAt) / 1e6,
                    c.publishedAt == 0 ? Double.NaN : (c.seenAt - c.publishedAt) / 1e6, (c.seenAt - c.answeredAt) / 1e6);
        }
        JsonNode status = primary.admin("GET", REALM + "/replica-publisher/status", null).json();
        System.out.printf("publisher status after the load: published %s records, backlog %s%n", status.path("published").asText(),
                status.path("backlog"));
        Propagation p = new Propagation(observer.latencies(), observer.windows(), observer.toKafka(), observer.fromKafka(),
                new Percentiles(answers), changes.get(), failed.get(),
                skipped.get(), load.late(), unseen, observer.reads(), observer.readErrors(), observer.meanReadMillis());
        System.out.printf("propagation: %s; window %s%n", p.latencies(), p.windows());
        return p;
    }

    static String valueOf(String field, Person person, long n) {
        return switch (field) {
            case "email" -> person.username() + "-" + n + "@example.com";
            case "firstName" -> "First-" + n;
            default -> "Last-" + n;
        };
    }

    private static void report(Propagation p, PublisherOverhead o) {
        System.out.printf("%n==== publisher: propagation primary -> replica (PostgreSQL, %d cores) ====%n",
                Runtime.getRuntime().availableProcessors());
        System.out.printf("load: %.0f admin REST updates/s at the primary (lastName, firstName, email in turn) over %d people, %d s measured "
                + "after %d s of warm-up%n", RATE, PEOPLE, SECONDS, WARM_UP_SECONDS);
        System.out.printf("observer: one thread reading the replica's admin REST for each pending change every %d ms; %d reads "
                + "(%.1f/s, %.1f ms each on average), %d read errors%n", POLL_MILLIS, p.reads(), p.reads() / (double) (WARM_UP_SECONDS + SECONDS),
                p.meanReadMillis(), p.readErrors());
        System.out.printf("changes measured: %d; failed at the primary: %d; skipped (no idle person): %d; started late: %d; not seen "
                + "at the replica within 30 s after the load: %d%n", p.changes(), p.failed(), p.skipped(), p.late(), p.unseen());
        System.out.printf("primary's answer to the updates: %s%n", p.primaryAnswers());
        System.out.printf("propagation, primary's 2xx to the replica's admin REST showing the value: count %d, p50 %.0f ms, p90 %.0f ms, "
                        + "p99 %.0f ms, max %.0f ms%n", p.latencies().count(), p.latencies().millis(50), p.latencies().millis(90),
                p.latencies().millis(99), p.latencies().maxMillis());
        System.out.printf("resolution (from the record readable in Kafka, or the last read without the value if later, to the end of the "
                + "first read with it): p50 %.0f ms, p99 %.0f ms%n",
                p.windows().millis(50), p.windows().millis(99));
        System.out.printf("  of which primary's 2xx to the record readable in Kafka (read_committed, read by the benchmark): %s%n", p.toKafka());
        System.out.printf("  and record readable in Kafka to the replica's admin REST showing it: %s%n", p.fromKafka());
        System.out.printf("target p99 <= %.0f ms: %s%n", TARGET_P99_MILLIS, p.latencies().millis(99) <= TARGET_P99_MILLIS && p.unseen() == 0
                ? "met" : "NOT met");

        o.report();
    }

    static void failure(AtomicInteger failed, String what) {
        if (failed.incrementAndGet() <= 5) {
            System.out.println("failed: " + what);
        }
    }

    /** Creates the pool at the primary (the first {@value #SIGN_IN_PEOPLE} with a password) and returns it. */
    private static List<Person> createPeople(KeycloakHttp primary, String realm, String prefix) throws Exception {
        long start = System.nanoTime();
        ExecutorService workers = SteadyLoad.workers("create", 4);
        List<Person> people = new ArrayList<>();
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < PEOPLE; i++) {
            String username = String.format(Locale.ROOT, "%s-%04d", prefix, i);
            String password = i < SIGN_IN_PEOPLE ? PASSWORD : null;
            created.add(workers.submit(() -> check(primary.admin("POST", realm + "/users", new Person(null, username).creation(password)), 201)));
        }
        for (Future<?> f : created) {
            f.get();
        }
        workers.shutdown();
        Map<String, String> ids = new HashMap<>();
        for (JsonNode user : primary.admin("GET", realm + "/users?briefRepresentation=true&max=" + (PEOPLE + 100), null).json()) {
            ids.put(user.get("username").asText(), user.get("id").asText());
        }
        for (int i = 0; i < PEOPLE; i++) {
            String username = String.format(Locale.ROOT, "%s-%04d", prefix, i);
            people.add(new Person(ids.get(username), username));
        }
        System.out.printf("created %d people in realm %s in %.1f s%n", PEOPLE, realm, (System.nanoTime() - start) / 1e9);
        return people;
    }

    private static void awaitAtReplica(KeycloakHttp replica, int count) throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofSeconds(120).toNanos()) {
            KeycloakHttp.Response r = replica.admin("GET", REALM + "/users/count", null);
            if (r.status() == 200 && Integer.parseInt(r.body().trim()) >= count) {
                System.out.printf("the replica holds the %d people %.1f s after they were created%n", count, (System.nanoTime() - start) / 1e9);
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the replica did not get " + count + " people in 120 s");
    }

    /** realm-config/acme-primary-realm.json as realm {@value #PLAIN}, without the publisher component. */
    private static Path plainRealmFile(Path primaryRealm) throws Exception {
        ObjectNode realm = (ObjectNode) KeycloakHttp.JSON.readTree(primaryRealm.toFile());
        realm.put("realm", PLAIN);
        realm.put("displayName", "Same as acme, no publisher");
        ((ObjectNode) realm.get("components")).remove("org.keycloak.services.ui.extend.UiPageProvider");
        Path file = Files.createTempDirectory("bench-publisher-").resolve(PLAIN + "-realm.json");
        KeycloakHttp.JSON.writeValue(file.toFile(), realm);
        file.toFile().deleteOnExit();
        file.getParent().toFile().deleteOnExit();
        return file;
    }

    private static KeycloakHttp http(KeycloakServer server) {
        return new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
    }

    private static void check(KeycloakHttp.Response response, int status) {
        if (response.status() != status) {
            throw new IllegalStateException("expected " + status + ": " + response);
        }
    }
}
