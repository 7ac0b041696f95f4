package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches the replica's admin REST API for changes made at the primary, the way an operator would see them. One
 * thread, so the watching costs the replica little: every {@code pollMillis} it reads each pending person once
 * ({@code GET /admin/realms/{realm}/users/{id}}) and compares one field with the value the primary accepted.
 *
 * <p>A change's propagation time is taken from the primary's 2xx answer to the end of the first read that shows
 * the new value. The value arrived after its record became readable in Kafka and after the start of the last
 * read that did not show it; the span from the later of the two to the end of the read that did, the window, is
 * the figure's resolution and is reported beside it.
 */
final class PropagationObserver implements Runnable {

    /** One change the primary accepted, waiting to be seen at the replica. */
    static final class Change {
        final Person person;
        final String field;
        final String value;
        final boolean measured;
        final long answeredAt;
        volatile long publishedAt;
        long lastMissAt;
        long seenAt;

        Change(Person person, String field, String value, boolean measured, long answeredAt) {
            this.person = person;
            this.field = field;
            this.value = value;
            this.measured = measured;
            this.answeredAt = answeredAt;
        }
    }

    private static final long FALLBACK_NANOS = 1_000_000_000L;

    private final KeycloakHttp replica;
    private final String realm;
    private final long pollNanos;
    private final Consumer<Person> seen;
    private final Map<String, Change> pending = new ConcurrentHashMap<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> windows = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> toKafka = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> fromKafka = Collections.synchronizedList(new ArrayList<>());
    private final List<Change> measured = Collections.synchronizedList(new ArrayList<>());
    /** Records read before the primary's answer reached the benchmark: subject, field and value. */
    private final Map<String, Long> early = new HashMap<>();
    private volatile boolean stopped;
    private long reads;
    private long readErrors;
    private long readNanos;

    PropagationObserver(KeycloakHttp replica, String realm, long pollMillis, Consumer<Person> seen) {
        this.replica = replica;
        this.realm = realm;
        this.pollNanos = TimeUnit.MILLISECONDS.toNanos(pollMillis);
        this.seen = seen;
    }

    /** To be called once the primary answered 2xx: from then on, the change is looked for. */
    synchronized void expect(Change change) {
        Long published = early.remove(key(change.person.id(), change.field, change.value));
        if (published != null) {
            change.publishedAt = published;
        }
        pending.put(change.person.id(), change);
    }

    /** The change's record became readable in Kafka at {@code at}. */
    synchronized void published(String subject, String field, String value, long at) {
        Change change = pending.get(subject);
        if (change != null && change.field.equals(field) && change.value.equals(value)) {
            if (change.publishedAt == 0) {
                change.publishedAt = at;
            }
        } else if (early.size() < 10_000) {
            early.put(key(subject, field, value), at);
        }
    }

    private static String key(String subject, String field, String value) {
        return subject + "\n" + field + "\n" + value;
    }

    int pending() {
        return pending.size();
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        while (!stopped) {
            long sweep = System.nanoTime();
            for (Change change : new ArrayList<>(pending.values())) {
                // Before its record is in Kafka the replica cannot show a change; reading it then would only load
                // the replica. A record this benchmark missed is looked for after a second anyway.
                if (change.publishedAt != 0 || sweep - change.answeredAt > FALLBACK_NANOS) {
                    look(change);
                }
            }
            long rest = pollNanos - (System.nanoTime() - sweep);
            if (rest > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(rest);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void look(Change change) {
        long start = System.nanoTime();
        KeycloakHttp.Response r;
        try {
            r = replica.admin("GET", realm + "/users/" + change.person.id(), null);
        } catch (RuntimeException e) {
            readErrors++;
            return;
        }
        long end = System.nanoTime();
        reads++;
        readNanos += end - start;
        if (r.status() != 200 && r.status() != 404) {
            readErrors++;
        }
        JsonNode user = r.status() == 200 ? r.json() : null;
        if (user != null && change.value.equals(user.path(change.field).asText(null))) {
            pending.remove(change.person.id());
            if (change.measured) {
                change.seenAt = end;
                latencies.add(end - change.answeredAt);
                // The replica cannot show a value before its record is readable in Kafka, nor before a read that missed it.
                windows.add(end - Math.max(change.answeredAt, Math.max(change.lastMissAt, change.publishedAt)));
                if (change.publishedAt != 0) {
                    toKafka.add(change.publishedAt - change.answeredAt);
                    fromKafka.add(end - change.publishedAt);
                }
                measured.add(change);
            }
            seen.accept(change.person);
        } else {
            change.lastMissAt = start;
        }
    }

    Percentiles latencies() {
        return new Percentiles(latencies);
    }

    /**
     * The spans within which each measured change arrived at the replica: the resolution of {@link #latencies()}.
     * Kafka's side is as this benchmark's consumer saw it, which may be a little after the replica's.
     */
    Percentiles windows() {
        return new Percentiles(windows);
    }

    /** From the primary's answer until the change's record was readable in Kafka (read_committed). */
    Percentiles toKafka() {
        return new Percentiles(toKafka);
    }

    /** From the record readable in Kafka until the replica's admin REST showed the value. */
    Percentiles fromKafka() {
        return new Percentiles(fromKafka);
    }

    /** The measured changes that took longest, slowest first. */
    List<Change> slowest(int count) {
        List<Change> all = new ArrayList<>(measured);
        all.sort((a, b) -> Long.compare(b.seenAt - b.answeredAt, a.seenAt - a.answeredAt));
        return all.subList(0, Math.min(count, all.size()));
    }

    long reads() {
        return reads;
    }

    long readErrors() {
        return readErrors;
    }

    double meanReadMillis() {
        return reads == 0 ? Double.NaN : readNanos / 1e6 / reads;
    }

    /** Changes still not seen, measured ones only. */
    long unseenMeasured() {
        return pending.values().stream().filter(c -> c.measured).count();
    }
}
