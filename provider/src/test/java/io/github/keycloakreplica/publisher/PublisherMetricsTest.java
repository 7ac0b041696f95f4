package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.store.PublisherRows;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

final class PublisherMetricsTest {

    private static final long T0 = Instant.parse("2026-12-08T10:00:00Z").toEpochMilli();

    private final MutableClock clock = new MutableClock(T0);
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void nothingIsKnownBeforeTheFirstLook() {
        new PublisherMetrics(registry, clock, "acme");

        assertThat(gauge("keycloak.replica.publisher.intents")).isNaN();
        assertThat(gauge("keycloak.replica.publisher.unpublished")).isNaN();
        assertThat(gauge("keycloak.replica.publisher.oldest.unpublished.age")).isNaN();
        assertThat(gauge("keycloak.replica.publisher.heartbeat.age")).isNaN();
        assertThat(gauge("keycloak.replica.publisher.relaying")).isZero();
        assertThat(gauge("keycloak.replica.publisher.reconcile.running")).isZero();
        assertThat(counter("keycloak.replica.publisher.published")).isZero();
    }

    @Test
    void aLookSetsTheBacklogAndTheAgesGrowWithTheClock() {
        PublisherMetrics metrics = new PublisherMetrics(registry, clock, "acme");

        metrics.seen(new PublisherRows.Backlog(3, T0 - 1_000), new PublisherRows.Backlog(12, T0 - 5_000), T0 - 2_000, true);

        assertThat(gauge("keycloak.replica.publisher.intents")).isEqualTo(3);
        assertThat(gauge("keycloak.replica.publisher.unpublished")).isEqualTo(12);
        assertThat(gauge("keycloak.replica.publisher.oldest.unpublished.age")).isEqualTo(5.0);
        assertThat(gauge("keycloak.replica.publisher.heartbeat.age")).isEqualTo(2.0);
        assertThat(gauge("keycloak.replica.publisher.reconcile.running")).isEqualTo(1);
        clock.now += 10_000;
        assertThat(gauge("keycloak.replica.publisher.oldest.unpublished.age")).isEqualTo(15.0);
        assertThat(gauge("keycloak.replica.publisher.heartbeat.age")).isEqualTo(12.0);

        metrics.seen(new PublisherRows.Backlog(0, null), new PublisherRows.Backlog(0, null), null, false);
        assertThat(gauge("keycloak.replica.publisher.unpublished")).isZero();
        assertThat(gauge("keycloak.replica.publisher.oldest.unpublished.age")).as("nothing waits").isZero();
        assertThat(gauge("keycloak.replica.publisher.heartbeat.age")).as("a look without a heartbeat forgets none").isEqualTo(12.0);
        assertThat(gauge("keycloak.replica.publisher.reconcile.running")).isZero();
    }

    @Test
    void aHeartbeatSentHereIsNotUndoneByAnOlderLook() {
        PublisherMetrics metrics = new PublisherMetrics(registry, clock, "acme");

        metrics.heartbeatSent(T0);
        metrics.seen(new PublisherRows.Backlog(0, null), new PublisherRows.Backlog(0, null), T0 - 4_000, false);
        clock.now += 1_000;

        assertThat(gauge("keycloak.replica.publisher.heartbeat.age")).isEqualTo(1.0);
    }

    @Test
    void theRelayCountsWhatItDidAndARestartedRelayKeepsTheMeters() {
        PublisherMetrics first = new PublisherMetrics(registry, clock, "acme");
        first.relaying(true);
        first.published(7);
        first.reconcileFound(2);
        first.reconcileFound(0);
        first.fenced();
        assertThat(gauge("keycloak.replica.publisher.relaying")).isEqualTo(1);

        first.stopped();
        assertThat(gauge("keycloak.replica.publisher.relaying")).isZero();
        assertThat(gauge("keycloak.replica.publisher.unpublished")).isNaN();
        assertThat(gauge("keycloak.replica.publisher.heartbeat.age")).isNaN();

        PublisherMetrics second = new PublisherMetrics(registry, clock, "acme");
        second.published(1);
        second.relaying(true);

        assertThat(counter("keycloak.replica.publisher.published")).isEqualTo(8);
        assertThat(counter("keycloak.replica.publisher.reconcile.found")).isEqualTo(2);
        assertThat(counter("keycloak.replica.publisher.fenced")).isEqualTo(1);
        assertThat(gauge("keycloak.replica.publisher.relaying")).isEqualTo(1);
        assertThat(registry.find("keycloak.replica.publisher.relaying").gauges()).as("one gauge per realm").hasSize(1);
    }

    @Test
    void realmsAreApartAndTheRealmNameIsTheOnlyTag() {
        new PublisherMetrics(registry, clock, "acme").published(2);
        new PublisherMetrics(registry, clock, "globex").published(5);

        assertThat(registry.get("keycloak.replica.publisher.published").tag("realm", "acme").counter().count()).isEqualTo(2);
        assertThat(registry.get("keycloak.replica.publisher.published").tag("realm", "globex").counter().count()).isEqualTo(5);
        List<Meter> meters = registry.getMeters();
        assertThat(meters).hasSize(2 * 10);
        assertThat(meters).allSatisfy(m -> assertThat(m.getId().getTags()).extracting(t -> t.getKey()).containsExactly("realm"));
    }

    private double gauge(String name) {
        return registry.get(name).tag("realm", "acme").gauge().value();
    }

    private double counter(String name) {
        return registry.get(name).tag("realm", "acme").counter().count();
    }

    private static final class MutableClock extends Clock {
        long now;

        MutableClock(long now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now);
        }

        @Override
        public long millis() {
            return now;
        }
    }
}
