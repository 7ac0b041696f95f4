package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.store.PublisherRelayEntity;
import io.github.keycloakreplica.store.PublisherRows;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A publishing realm's meters, through Micrometer's global registry as the replica's ({@code ReplicaMetrics}), tagged
 * with the realm's name only (a realm has one publisher): {@code keycloak_replica_publisher_intents},
 * {@code keycloak_replica_publisher_unpublished}, {@code keycloak_replica_publisher_oldest_unpublished_age_seconds},
 * {@code keycloak_replica_publisher_relaying}, {@code keycloak_replica_publisher_heartbeat_age_seconds},
 * {@code keycloak_replica_publisher_reconcile_running}, and the counters
 * {@code keycloak_replica_publisher_published_total}, {@code keycloak_replica_publisher_fenced_total},
 * {@code keycloak_replica_publisher_reconcile_found_total}.
 *
 * <p>A scrape reads memory only. The realm's relay thread on each node sets what it does itself (relaying, records
 * published, heartbeat sent, fenced, reconcile) as it happens, and reads the backlog from the database every
 * {@link #LOOK_PERIOD} ({@link #observe}), whether this node relays or not: a relay that stopped working (its node
 * wedged, its lease not yet run out) is then still seen growing a backlog from the other nodes.
 */
public final class PublisherMetrics {

    private static final Logger log = Logger.getLogger(PublisherMetrics.class);

    /** How often a relay thread reads the realm's backlog for the gauges: as often as the replica's gap gauges. */
    public static final Duration LOOK_PERIOD = Duration.ofSeconds(2);

    /** Gauges keep their state across relay restarts: Micrometer binds a gauge to its first holder. */
    private static final Map<Key, State> STATES = new ConcurrentHashMap<>();

    private record Key(MeterRegistry registry, String realm) {
    }

    /** What the gauges read; -1 (or 0 for the instants) while nothing is known. */
    private static final class State {
        final AtomicLong intents = new AtomicLong(-1);
        final AtomicLong unpublished = new AtomicLong(-1);
        /** Epoch millis of the oldest unpublished record; 0 when none waits, -1 while unknown. */
        final AtomicLong oldestUnpublishedAt = new AtomicLong(-1);
        /** Epoch millis of the realm's last heartbeat; 0 while none is known. */
        final AtomicLong lastHeartbeatAt = new AtomicLong();
        final AtomicBoolean relaying = new AtomicBoolean();
        final AtomicBoolean reconcileRunning = new AtomicBoolean();
    }

    private final Clock clock;
    private final State state;
    private final Counter published;
    private final Counter fenced;
    private final Counter reconcileFound;
    private final Counter setAside;
    private long nextLook;

    PublisherMetrics(MeterRegistry registry, Clock clock, String realm) {
        this.clock = clock;
        Tags tags = Tags.of("realm", realm);
        published = Counter.builder("keycloak.replica.publisher.published")
                .description("Records this node's relay sent to Kafka and removed from the outbox: deltas and snapshots")
                .tags(tags)
                .register(registry);
        fenced = Counter.builder("keycloak.replica.publisher.fenced")
                .description("Times Kafka fenced this node's relay because another node had taken the realm over; it stepped down")
                .tags(tags)
                .register(registry);
        reconcileFound = Counter.builder("keycloak.replica.publisher.reconcile.found")
                .description("People the reconcile on this node found changed without an event telling of it, and published")
                .tags(tags)
                .register(registry);
        setAside = Counter.builder("keycloak.replica.publisher.set.aside")
                .description("People this node's relay could not publish (the stream contract cannot carry them) and set aside "
                        + "until they change again; the status resource names the last one")
                .tags(tags)
                .register(registry);
        // Registered once per realm: a restarted relay keeps its gauges (registering them again would only make
        // Micrometer warn that they exist).
        state = STATES.computeIfAbsent(new Key(registry, realm), k -> {
            State s = new State();
            Gauge.builder("keycloak.replica.publisher.intents", s.intents, PublisherMetrics::known)
                    .description("Changes recorded at the primary and not yet versioned into the outbox")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.publisher.unpublished", s.unpublished, PublisherMetrics::known)
                    .description("Versioned records in the outbox that Kafka has not taken yet: the publisher's backlog")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.publisher.oldest.unpublished.age", s.oldestUnpublishedAt, at -> at.get() == 0 ? 0 : age(clock, at.get()))
                    .description("Seconds the oldest record of the outbox has waited; 0 when none waits. Grows while Kafka is away")
                    .baseUnit("seconds")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.publisher.relaying", s.relaying, r -> r.get() ? 1 : 0)
                    .description("1 on the node that holds the realm's relay lease and publishes, 0 on the others")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.publisher.heartbeat.age", s.lastHeartbeatAt, at -> age(clock, at.get()))
                    .description("Seconds since the realm's relay last sent a heartbeat, from whichever node; replicas sever "
                            + "when this passes their threshold")
                    .baseUnit("seconds")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.publisher.reconcile.running", s.reconcileRunning, r -> r.get() ? 1 : 0)
                    .description("1 while the realm's reconcile compares its people with what was published")
                    .tags(tags)
                    .register(registry);
            return s;
        });
    }

    /** The meters of one publishing realm, by its name. */
    public static PublisherMetrics of(String realm) {
        return new PublisherMetrics(Metrics.globalRegistry, Clock.systemUTC(), realm);
    }

    private static double known(AtomicLong value) {
        return value.get() < 0 ? Double.NaN : value.get();
    }

    /** Seconds since an instant in epoch millis; NaN when not known (0 or less). */
    private static double age(Clock clock, long at) {
        if (at <= 0) {
            return Double.NaN;
        }
        return Math.max(0, clock.millis() - at) / 1000.0;
    }

    /** Whether this node holds the realm's relay now. */
    public void relaying(boolean relaying) {
        state.relaying.set(relaying);
    }

    /** Records Kafka took in a committed transaction and the outbox no longer holds. */
    public void published(int records) {
        published.increment(records);
    }

    public void heartbeatSent(long at) {
        state.lastHeartbeatAt.accumulateAndGet(at, Math::max);
    }

    public void fenced() {
        fenced.increment();
    }

    /** People a committed reconcile step found changed. */
    public void reconcileFound(int people) {
        if (people > 0) {
            reconcileFound.increment(people);
        }
    }

    /** People a committed round or reconcile step set aside. */
    public void setAside(int people) {
        if (people > 0) {
            setAside.increment(people);
        }
    }

    public void reconcileRunning(boolean running) {
        state.reconcileRunning.set(running);
    }

    /**
     * Reads the realm's backlog, last heartbeat and reconcile from the database when {@link #LOOK_PERIOD} has passed
     * since the last read. Never throws: the relay says what is wrong with the database; the gauges keep what they last
     * showed, and the heartbeat's age grows by itself.
     */
    public void observe(KeycloakSessionFactory sessionFactory, String realmId) {
        long now = clock.millis();
        if (now < nextLook) {
            return;
        }
        nextLook = now + LOOK_PERIOD.toMillis();
        try {
            KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
                PublisherRows rows = PublisherRows.of(session);
                PublisherRelayEntity relay = rows.findRelay(realmId).orElse(null);
                seen(rows.intents(realmId), rows.outbox(realmId), relay == null ? null : relay.getLastHeartbeatAt(),
                        relay != null && relay.getReconcileCursor() != null);
            });
        } catch (RuntimeException e) {
            log.debugf("publisher metrics: could not read the realm's backlog (%s)", e.getClass().getSimpleName());
        }
    }

    /** What a look at the database found. */
    void seen(PublisherRows.Backlog intents, PublisherRows.Backlog outbox, Long lastHeartbeatAt, boolean reconcileRunning) {
        state.intents.set(intents.count());
        state.unpublished.set(outbox.count());
        state.oldestUnpublishedAt.set(outbox.count() == 0 || outbox.oldestAt() == null ? 0 : outbox.oldestAt());
        if (lastHeartbeatAt != null) {
            heartbeatSent(lastHeartbeatAt);
        }
        state.reconcileRunning.set(reconcileRunning);
    }

    /** The relay thread ends here: nothing it showed holds any longer. */
    public void stopped() {
        state.relaying.set(false);
        state.reconcileRunning.set(false);
        state.intents.set(-1);
        state.unpublished.set(-1);
        state.oldestUnpublishedAt.set(-1);
        state.lastHeartbeatAt.set(0);
        nextLook = 0;
    }
}
