package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;

import java.util.ArrayList;
import java.util.Collections;
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
 * the new value; the value arrived somewhere after the start of the read before (that did not show it), so the
 * span between the two, the window, is the figure's resolution and is reported beside it.
 */
final class PropagationObserver implements Runnable {

    /** One change the primary accepted, waiting to be seen at the replica. */
    static final class Change {
        final Person person;
        final String field;
        final String value;
        final boolean measured;
        final long answeredAt;
        long lastMissAt;

        Change(Person person, String field, String value, boolean measured, long answeredAt) {
            this.person = person;
            this.field = field;
            this.value = value;
            this.measured = measured;
            this.answeredAt = answeredAt;
        }
    }

    private final KeycloakHttp replica;
    private final String realm;
    private final long pollNanos;
    private final Consumer<Person> seen;
    private final Map<String, Change> pending = new ConcurrentHashMap<>();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> windows = Collections.synchronizedList(new ArrayList<>());
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
    void expect(Change change) {
        pending.put(change.person.id(), change);
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
                look(change);
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
                latencies.add(end - change.answeredAt);
                windows.add(end - (change.lastMissAt == 0 ? change.answeredAt : Math.max(change.answeredAt, change.lastMissAt)));
            }
            seen.accept(change.person);
        } else {
            change.lastMissAt = start;
        }
    }

    Percentiles latencies() {
        return new Percentiles(latencies);
    }

    /** The spans within which each measured change arrived: the resolution of {@link #latencies()}. */
    Percentiles windows() {
        return new Percentiles(windows);
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
