package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.protocol.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The replica's meters, through Micrometer's global registry: Keycloak's metrics endpoint shows them
 * when metrics are enabled ({@code keycloak_replica_events_total{outcome=...}},
 * {@code keycloak_replica_open_gaps}, {@code keycloak_replica_oldest_gap_age_seconds},
 * {@code keycloak_replica_gap_resolution_seconds}, {@code keycloak_replica_link_state{state=...}},
 * {@code keycloak_replica_link_transitions_total{to=...}}, {@code keycloak_replica_drift_seconds},
 * {@code keycloak_replica_drift_exceeded}, {@code keycloak_replica_heartbeat_age_seconds},
 * {@code keycloak_replica_batch_fallbacks_total}, {@code keycloak_replica_apply_stalled_seconds}), tagged with realm and component.
 */
public final class ReplicaMetrics {

    /** Gauges keep their state across consumer restarts: Micrometer binds a gauge to its first holder. */
    private static final Map<String, GaugeState> GAUGES = new ConcurrentHashMap<>();

    private record GaugeState(AtomicLong openGaps, AtomicLong oldestGapSince, AtomicReference<LinkRecord> link, ApplyStall stall) {
    }

    private final Map<Outcome, Counter> events = new EnumMap<>(Outcome.class);
    private final Map<LinkState, Counter> transitions = new EnumMap<>(LinkState.class);
    private final Timer gapResolution;
    private final Counter batchFallbacks;
    private final GaugeState gauges;

    private ReplicaMetrics(MeterRegistry registry, String realm, String component) {
        Tags tags = Tags.of("realm", realm, "component", component);
        for (Outcome outcome : Outcome.values()) {
            events.put(outcome, Counter.builder("keycloak.replica.events")
                    .description("Stream events by what became of them at this replica")
                    .tags(tags).tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        for (LinkState state : LinkState.values()) {
            transitions.put(state, Counter.builder("keycloak.replica.link.transitions")
                    .description("Changes of the link state, by the state entered")
                    .tags(tags).tag("to", state.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        gapResolution = Timer.builder("keycloak.replica.gap.resolution")
                .description("How long facts waited in the gap buffer before the gap closed")
                .tags(tags)
                .register(registry);
        batchFallbacks = Counter.builder("keycloak.replica.batch.fallbacks")
                .description("Batches that failed as a whole for a reason no check foresaw and were applied again one record "
                        + "per transaction; each one is a defect worth reporting")
                .tags(tags)
                .register(registry);
        // Registered once per realm and component: a restarted consumer keeps its gauges (registering them
        // again would only make Micrometer warn that they exist).
        gauges = GAUGES.computeIfAbsent(realm + "/" + component, k -> {
            GaugeState state = new GaugeState(new AtomicLong(), new AtomicLong(), new AtomicReference<>(), new ApplyStall());
            Gauge.builder("keycloak.replica.open.gaps", state.openGaps(), AtomicLong::get)
                    .description("Subjects with at least one fact waiting in the gap buffer")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.oldest.gap.age", state.oldestGapSince(),
                            since -> since.get() == 0 ? 0 : (System.currentTimeMillis() - since.get()) / 1000.0)
                    .description("Seconds since the oldest open gap opened; 0 when none is open")
                    .baseUnit("seconds")
                    .tags(tags)
                    .register(registry);
            for (LinkState linkState : LinkState.values()) {
                Gauge.builder("keycloak.replica.link.state", state.link(), link -> link.get() != null && link.get().state() == linkState ? 1 : 0)
                        .description("1 for the link state this replica is in (connected, severed, recovering), 0 for the others")
                        .tags(tags).tag("state", linkState.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
            Gauge.builder("keycloak.replica.drift", state.link(),
                            link -> link.get() == null ? Double.NaN : link.get().driftMillis(System.currentTimeMillis()) / 1000.0)
                    .description("Seconds since the replica last had applied everything the upstream's heartbeat named; "
                            + "grows with a severance")
                    .baseUnit("seconds")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.drift.exceeded", state.link(), link -> link.get() != null && link.get().driftExceeded() ? 1 : 0)
                    .description("1 while the replica is connected but further behind the upstream than its drift window")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.heartbeat.age", state.link(), link -> {
                        Long age = link.get() == null ? null : link.get().heartbeatAgeMillis(System.currentTimeMillis());
                        return age == null ? Double.NaN : age / 1000.0;
                    })
                    .description("Seconds since the upstream's newest heartbeat was read")
                    .baseUnit("seconds")
                    .tags(tags)
                    .register(registry);
            Gauge.builder("keycloak.replica.apply.stalled", state.stall(), stall -> stall.seconds(Instant.now()))
                    .description("Seconds the apply engine has been waiting out an infrastructure failure (database or lock); "
                            + "0 while it applies. Nothing the upstream says reaches the site while this grows")
                    .baseUnit("seconds")
                    .tags(tags)
                    .register(registry);
            return state;
        });
    }

    public static ReplicaMetrics of(String realm, String component) {
        return new ReplicaMetrics(Metrics.globalRegistry, realm, component);
    }

    /** Whether the apply engine of this realm's component is stalled on this node. */
    public ApplyStall stall() {
        return gauges.stall();
    }

    /** The stall of a component's apply engine on this node, if it runs here and is stalled. */
    public static Optional<ApplyStall.Stalled> stallOf(String realm, String component) {
        GaugeState state = GAUGES.get(realm + "/" + component);
        return state == null ? Optional.empty() : state.stall().current();
    }

    void counted(Outcome outcome, int events) {
        this.events.get(outcome).increment(events);
    }

    void gapResolved(long millis) {
        gapResolution.record(Duration.ofMillis(Math.max(0, millis)));
    }

    /** A batch failed as a whole and is applied again one record per transaction. */
    public void batchFallback() {
        batchFallbacks.increment();
    }

    /** The link as last looked at, for the link gauges. */
    public void link(LinkRecord record) {
        gauges.link().set(record);
    }

    public void linkChanged(LinkState to) {
        transitions.get(to).increment();
    }

    /** @param oldestSince epoch millis the oldest open gap opened, or null when none is open */
    public void gaps(long open, Long oldestSince) {
        gauges.openGaps().set(open);
        gauges.oldestGapSince().set(oldestSince == null ? 0 : oldestSince);
    }
}
