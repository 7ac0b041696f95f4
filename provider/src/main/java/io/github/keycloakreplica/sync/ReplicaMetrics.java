package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.protocol.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replica's meters, through Micrometer's global registry: Keycloak's metrics endpoint shows them
 * when metrics are enabled ({@code keycloak_replica_events_total{outcome=...}},
 * {@code keycloak_replica_open_gaps}, {@code keycloak_replica_oldest_gap_age_seconds},
 * {@code keycloak_replica_gap_resolution_seconds}), tagged with realm and component.
 */
public final class ReplicaMetrics {

    /** Gauges keep their state across consumer restarts: Micrometer binds a gauge to its first holder. */
    private static final Map<String, GaugeState> GAUGES = new ConcurrentHashMap<>();

    private record GaugeState(AtomicLong openGaps, AtomicLong oldestGapSince) {
    }

    private final Map<Outcome, Counter> events = new EnumMap<>(Outcome.class);
    private final Timer gapResolution;
    private final GaugeState gauges;

    private ReplicaMetrics(MeterRegistry registry, String realm, String component) {
        Tags tags = Tags.of("realm", realm, "component", component);
        for (Outcome outcome : Outcome.values()) {
            events.put(outcome, Counter.builder("keycloak.replica.events")
                    .description("Stream events by what became of them at this replica")
                    .tags(tags).tag("outcome", outcome.name().toLowerCase())
                    .register(registry));
        }
        gapResolution = Timer.builder("keycloak.replica.gap.resolution")
                .description("How long facts waited in the gap buffer before the gap closed")
                .tags(tags)
                .register(registry);
        // Registered once per realm and component: a restarted consumer keeps its gauges (registering them
        // again would only make Micrometer warn that they exist).
        gauges = GAUGES.computeIfAbsent(realm + "/" + component, k -> {
            GaugeState state = new GaugeState(new AtomicLong(), new AtomicLong());
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
            return state;
        });
    }

    public static ReplicaMetrics of(String realm, String component) {
        return new ReplicaMetrics(Metrics.globalRegistry, realm, component);
    }

    void counted(Outcome outcome) {
        events.get(outcome).increment();
    }

    void gapResolved(long millis) {
        gapResolution.record(Duration.ofMillis(Math.max(0, millis)));
    }

    /** @param oldestSince epoch millis the oldest open gap opened, or null when none is open */
    public void gaps(long open, Long oldestSince) {
        gauges.openGaps().set(open);
        gauges.oldestGapSince().set(oldestSince == null ? 0 : oldestSince);
    }
}
