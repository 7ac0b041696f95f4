package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.CLIENT;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.CLIENT_SECRET;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.FIELDS;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.PASSWORD;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.PHASES;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.PHASE_SECONDS;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.PLAIN;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.RATE;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.REALM;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.SEQUENCE;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.SIGN_IN_PEOPLE;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.SIGN_IN_RATE;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.TARGET_RATIO;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.failure;
import static io.github.keycloakreplica.bench.PublisherPropagationBenchmark.valueOf;

/**
 * The primary's request latency with the publisher on and off, in the same run on the same server: the same steady
 * load of admin updates, with password-grant sign-ins beside it, against realm {@code acme} (publisher on) and realm
 * {@code plain} (the same realm file without the publisher component) in phases ON, OFF, OFF, ON, repeated, so that
 * a drift of the machine falls on both. Each phase's CPU time per process tells where the publisher's cost lands.
 */
final class PublisherOverhead {

    /** Seconds of load on each realm before the measured phases. */
    static final int WARM_UP_SECONDS = Integer.getInteger("bench.publisher.warmUpSeconds", 30);

    private final KeycloakHttp primary;
    private final List<Person> published;
    private final List<Person> plain;
    private final CpuMeter meter;
    private final List<Long> updatesOn = new ArrayList<>();
    private final List<Long> updatesOff = new ArrayList<>();
    private final List<Long> signInsOn = new ArrayList<>();
    private final List<Long> signInsOff = new ArrayList<>();
    private final List<String> phases = new ArrayList<>();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger late = new AtomicInteger();
    private Map<String, Double> cpuOn = new LinkedHashMap<>();
    private Map<String, Double> cpuOff = new LinkedHashMap<>();
    private Map<String, Double> threadsOn = new LinkedHashMap<>();
    private Map<String, Double> threadsOff = new LinkedHashMap<>();

    PublisherOverhead(KeycloakHttp primary, List<Person> published, List<Person> plain, CpuMeter meter) {
        this.primary = primary;
        this.published = published;
        this.plain = plain;
        this.meter = meter;
    }

    PublisherOverhead run() throws Exception {
        System.out.printf("%n---- overhead: %.0f admin updates/s and %.0f sign-ins/s, %d phases of %d s, realm %s (publisher on) "
                + "and %s (off) in turn ----%n", RATE, SIGN_IN_RATE, PHASES, PHASE_SECONDS, REALM, PLAIN);
        ExecutorService workers = SteadyLoad.workers("primary", 8);
        // Warm-up, not counted: the plain realm's code paths and caches are cold after the propagation part, and the
        // relay's code runs ten rounds a second, so the JIT compiler is still at it for minutes (its threads took more
        // CPU than the relay itself in ON phases after a 10 s warm-up); a primary runs for days.
        Map<String, Long> warming = meter.threads("primary");
        phase(PLAIN, plain, WARM_UP_SECONDS, workers);
        phase(REALM, published, WARM_UP_SECONDS, workers);
        System.out.printf("warm-up, %d s per realm: the primary's threads %s%n", WARM_UP_SECONDS,
                CpuMeter.format(CpuMeter.between(warming, meter.threads("primary"))));
        awaitQuiet();
        failed.set(0);
        late.set(0);
        for (int i = 0; i < PHASES; i++) {
            // ON OFF OFF ON, repeated: a drift that is linear over four phases falls on both alike.
            boolean on = i % 4 == 0 || i % 4 == 3;
            Map<String, Long> before = meter.sample();
            Map<String, Long> threadsBefore = meter.threads("primary");
            List<Long>[] measured = phase(on ? REALM : PLAIN, on ? published : plain, PHASE_SECONDS, workers);
            // The relay's work for an ON phase belongs to it, so the phase ends once the publisher has sent everything.
            String quiet = on ? String.format(Locale.ROOT, "; relay done %.1f s after the phase", awaitQuiet()) : "";
            Map<String, Double> cpu = CpuMeter.between(before, meter.sample());
            Map<String, Double> threads = CpuMeter.between(threadsBefore, meter.threads("primary"));
            if (on) {
                updatesOn.addAll(measured[0]);
                signInsOn.addAll(measured[1]);
                cpuOn = CpuMeter.sum(cpuOn, cpu);
                threadsOn = CpuMeter.sum(threadsOn, threads);
            } else {
                updatesOff.addAll(measured[0]);
                signInsOff.addAll(measured[1]);
                cpuOff = CpuMeter.sum(cpuOff, cpu);
                threadsOff = CpuMeter.sum(threadsOff, threads);
            }
            String line = String.format(Locale.ROOT, "phase %d %-3s updates %s | sign-ins %s%s | primary's threads %s", i + 1, on ? "ON" : "OFF",
                    new Percentiles(measured[0]), new Percentiles(measured[1]), quiet, CpuMeter.format(threads));
            phases.add(line);
            System.out.println(line);
            Thread.sleep(1_000);
        }
        workers.shutdown();
        return this;
    }

    void report() {
        System.out.printf("%n==== publisher: the primary's request latency, publisher ON (realm %s) vs OFF (realm %s), same run ====%n", REALM,
                PLAIN);
        System.out.printf("load per phase: %.0f admin updates/s and %.0f password-grant sign-ins/s for %d s; phases ON OFF OFF ON repeated "
                + "(%d); replica stopped; failed requests %d, started late %d%n", RATE, SIGN_IN_RATE, PHASE_SECONDS, PHASES, failed.get(),
                late.get());
        phases.forEach(line -> System.out.println("  " + line));
        ratio("admin updates", new Percentiles(updatesOn), new Percentiles(updatesOff));
        ratio("sign-ins", new Percentiles(signInsOn), new Percentiles(signInsOff));
        System.out.printf("CPU time, all ON phases:  %s%n", CpuMeter.format(cpuOn));
        System.out.printf("CPU time, all OFF phases: %s%n", CpuMeter.format(cpuOff));
        System.out.printf("CPU ON minus OFF per admin update (ms): %s%n", perUpdate(cpuOn, cpuOff));
        System.out.printf("the primary's threads, CPU ON: %s; OFF: %s%n", CpuMeter.format(threadsOn), CpuMeter.format(threadsOff));
        System.out.printf("the primary's threads, CPU ON minus OFF per admin update (ms): %s%n", perUpdate(threadsOn, threadsOff));
    }

    private List<String> perUpdate(Map<String, Double> on, Map<String, Double> off) {
        int changesOn = Math.max(1, updatesOn.size());
        return on.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(),
                (e.getValue() - off.getOrDefault(e.getKey(), 0.0)) * 1000 / changesOn)).toList();
    }

    private static void ratio(String what, Percentiles on, Percentiles off) {
        double median = on.millis(50) / off.millis(50);
        double p90 = on.millis(90) / off.millis(90);
        System.out.printf("%-14s ON  n=%d median %.1f ms, p90 %.1f ms | OFF n=%d median %.1f ms, p90 %.1f ms | ON/OFF median %.3f, p90 %.3f "
                        + "| target <= %.2f: %s%n", what, on.count(), on.millis(50), on.millis(90), off.count(), off.millis(50), off.millis(90),
                median, p90, TARGET_RATIO, median <= TARGET_RATIO && p90 <= TARGET_RATIO ? "met" : "NOT met");
    }

    /** One phase against one realm: updates and sign-ins at their rates; returns their latencies (send to answer). */
    @SuppressWarnings("unchecked")
    private List<Long>[] phase(String realm, List<Person> people, int seconds, ExecutorService workers) throws Exception {
        List<Long> updates = Collections.synchronizedList(new ArrayList<>());
        List<Long> signIns = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger nextSignIn = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        long duration = TimeUnit.SECONDS.toNanos(seconds);
        // Round robin over the pool: at these rates a person's changes are seconds apart, never concurrent.
        SteadyLoad updating = new SteadyLoad("updates-" + realm, RATE, duration, workers).start(planned -> {
            int n = next.getAndIncrement();
            Person person = people.get(n % people.size());
            String field = FIELDS[n % FIELDS.length];
            ObjectNode body = person.changed(field, valueOf(field, person, SEQUENCE.incrementAndGet()));
            try {
                String token = primary.adminToken();
                long start = System.nanoTime();
                KeycloakHttp.Response r = primary.withToken(token, "PUT", "/admin/realms/" + realm + "/users/" + person.id(), body);
                long end = System.nanoTime();
                if (r.status() / 100 == 2) {
                    updates.add(end - start);
                } else {
                    failure(failed, realm + " update: " + r);
                }
            } catch (RuntimeException e) {
                failure(failed, realm + " update: " + e);
            } finally {
                answered.incrementAndGet();
            }
        });
        SteadyLoad signingIn = new SteadyLoad("sign-ins-" + realm, SIGN_IN_RATE, duration, workers).start(planned -> {
            Person person = people.get(nextSignIn.getAndIncrement() % SIGN_IN_PEOPLE);
            try {
                long start = System.nanoTime();
                KeycloakHttp.Response r = primary.passwordGrant(realm, CLIENT, CLIENT_SECRET, person.username(), PASSWORD);
                long end = System.nanoTime();
                if (r.status() == 200) {
                    signIns.add(end - start);
                } else {
                    failure(failed, realm + " sign-in: " + r);
                }
            } catch (RuntimeException e) {
                failure(failed, realm + " sign-in: " + e);
            } finally {
                answered.incrementAndGet();
            }
        });
        updating.await();
        signingIn.await();
        // Every request of the phase answered before the next phase starts.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (answered.get() < updating.issued() + signingIn.issued() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        late.addAndGet(updating.late() + signingIn.late());
        return new List[]{new ArrayList<>(updates), new ArrayList<>(signIns)};
    }

    /** Waits until the publisher has nothing left to send; returns the seconds it took. */
    private double awaitQuiet() throws InterruptedException {
        long start = System.nanoTime();
        while (System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
            JsonNode backlog = primary.admin("GET", REALM + "/replica-publisher/status", null).json().path("backlog");
            if (backlog.path("intents").asLong() + backlog.path("unpublished").asLong() == 0) {
                break;
            }
            Thread.sleep(50);
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
