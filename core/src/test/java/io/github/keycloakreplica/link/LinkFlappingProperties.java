package io.github.keycloakreplica.link;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever the link does, second by second: the state changes at most once per stabilization window
 * (leaving CONNECTED excepted, which is never delayed), CONNECTED is only ever entered after a whole
 * window of health, and an unhealthy link is never CONNECTED.
 */
class LinkFlappingProperties {

    private static final long SECOND = 1_000;

    @Property(tries = 2_000)
    void stateChangesAreAtLeastAWindowApartAndNeverOpenOnABrokenLink(
            @ForAll("links") List<Boolean> healthyBySecond, @ForAll @IntRange(min = 2, max = 20) int windowSeconds) {
        LinkPolicy policy = new LinkPolicy(Duration.ofSeconds(3), Duration.ofSeconds(windowSeconds), Duration.ofSeconds(60));
        long now = 0;
        Long lastHeartbeat = null;
        LinkMonitor.Decision decision = LinkMonitor.initial(new LinkMonitor.Observation(now, null, false, null), policy);
        LinkMonitor.Status status = decision.status();
        List<long[]> changes = new ArrayList<>();
        for (boolean healthy : healthyBySecond) {
            // Ten looks a second, as the watcher makes them; a healthy second carries a heartbeat that is applied at once.
            for (int tenth = 0; tenth < 10; tenth++) {
                now += SECOND / 10;
                if (healthy) {
                    lastHeartbeat = now;
                }
                LinkMonitor.Observation seen = new LinkMonitor.Observation(now, lastHeartbeat, healthy, lastHeartbeat);
                LinkMonitor.Decision next = LinkMonitor.decide(status, seen, policy);
                if (next.changed()) {
                    changes.add(new long[]{now, next.previous().ordinal(), next.status().state().ordinal()});
                }
                status = next.status();
                if (!LinkMonitor.healthy(seen, policy)) {
                    assertThat(status.state()).isNotEqualTo(LinkState.CONNECTED);
                }
            }
        }
        long window = windowSeconds * SECOND;
        for (int i = 1; i < changes.size(); i++) {
            boolean leavingConnected = changes.get(i)[1] == LinkState.CONNECTED.ordinal();
            if (!leavingConnected) {
                assertThat(changes.get(i)[0] - changes.get(i - 1)[0]).isGreaterThanOrEqualTo(window);
            }
        }
    }

    /**
     * As the watcher sees it: heartbeats every 200 ms while the link is up, looks only every 500 ms, and a
     * gap between two reads longer than the threshold reported as a dip. Off-seconds shorter than the
     * threshold plus a look apart are missed by looks alone; the dips still keep the link from CONNECTED.
     */
    @Property(tries = 200)
    void aLinkToggledEverySecondNeverReachesConnectedWhenOnlyGapsBetweenHeartbeatsShowIt(
            @ForAll @IntRange(min = 2, max = 30) int windowSeconds, @ForAll @IntRange(min = 0, max = 499) int lookOffsetMillis) {
        LinkPolicy policy = new LinkPolicy(Duration.ofSeconds(1), Duration.ofSeconds(windowSeconds), Duration.ofSeconds(60));
        LinkMonitor.Status status = new LinkMonitor.Status(LinkState.CONNECTED, 0, 0L);
        Long lastRead = 0L;
        boolean dipped = false;
        long nextLook = lookOffsetMillis;
        List<long[]> changes = new ArrayList<>();
        for (long now = 0; now <= 60_000; now += 100) {
            boolean up = (now / 1_000) % 2 == 1;
            if (up && now % 200 == 0) {
                if (now - lastRead > policy.severanceThreshold().toMillis()) {
                    dipped = true;
                }
                lastRead = now;
            }
            if (now >= nextLook) {
                nextLook += 500;
                LinkMonitor.Decision next = LinkMonitor.decide(status, new LinkMonitor.Observation(now, lastRead, true, lastRead, dipped), policy);
                dipped = false;
                if (next.changed()) {
                    changes.add(new long[]{now, next.previous().ordinal()});
                    assertThat(next.status().state()).as("change at %d ms", now).isNotEqualTo(LinkState.CONNECTED);
                }
                status = next.status();
            }
        }
        assertThat(changes).isNotEmpty().hasSizeLessThanOrEqualTo(60 / windowSeconds + 1);
        for (int i = 1; i < changes.size(); i++) {
            assertThat(changes.get(i)[0] - changes.get(i - 1)[0]).isGreaterThanOrEqualTo(windowSeconds * SECOND);
        }
    }

    @Property(tries = 200)
    void aLinkToggledEverySecondForAMinuteChangesAtMostOncePerWindow(@ForAll @IntRange(min = 2, max = 30) int windowSeconds,
                                                                      @ForAll boolean startHealthy) {
        LinkPolicy policy = new LinkPolicy(Duration.ofMillis(1_500), Duration.ofSeconds(windowSeconds), Duration.ofSeconds(60));
        long now = 0;
        Long lastHeartbeat = startHealthy ? 0L : null;
        LinkMonitor.Status status = new LinkMonitor.Status(LinkState.CONNECTED, 0, 0L);
        int changes = 0;
        for (int second = 0; second < 60; second++) {
            boolean healthy = (second % 2 == 0) == startHealthy;
            for (int tenth = 0; tenth < 10; tenth++) {
                now += SECOND / 10;
                if (healthy) {
                    lastHeartbeat = now;
                }
                LinkMonitor.Decision next = LinkMonitor.decide(status, new LinkMonitor.Observation(now, lastHeartbeat, healthy, lastHeartbeat), policy);
                changes += next.changed() ? 1 : 0;
                status = next.status();
            }
        }
        assertThat(changes).isLessThanOrEqualTo(60 / windowSeconds + 1);
    }

    @Provide
    Arbitrary<List<Boolean>> links() {
        return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(240);
    }
}
