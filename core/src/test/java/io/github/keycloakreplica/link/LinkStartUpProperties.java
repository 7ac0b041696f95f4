package io.github.keycloakreplica.link;

import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.Heartbeat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node starting, whatever its component's stored record says and however long it was away: on a
 * healthy link with nothing to catch up it is CONNECTED one stabilization window after its first healthy
 * look, never sooner; on any link it is never CONNECTED on a look that finds the link unhealthy, enters
 * CONNECTED only after a whole window of health, and apart from leaving CONNECTED and leaving the SEVERED
 * it opened in, changes state at most once per window.
 */
class LinkStartUpProperties {

    private static final long STEP = 100;
    private static final long LOOK = 500;
    private static final Map<String, Map<Integer, Long>> POSITIONS = Map.of("acme.identity", Map.of(0, 7L));
    private static final Heartbeat HEARTBEAT = new Heartbeat(new Envelope("hb", "keycloak://primary/realms/acme", EventType.HEARTBEAT,
            "primary", null), Duration.ofMillis(STEP * 2), POSITIONS);

    /**
     * What the component's record said when the node started: its state, entered a whole window or more before
     * the newest heartbeat, which was read {@code awayMillis} before the start (none for a component that never
     * heard one; a CONNECTED or RECOVERING record always has).
     */
    private record Stored(LinkState state, boolean heardBefore, int awayMillis, int heldBeforeMillis) {

        Long lastHeartbeatAt(long startedAt) {
            return state == null || !heardBefore && state == LinkState.SEVERED ? null : startedAt - awayMillis;
        }

        LinkRecord record(long startedAt, LinkPolicy policy) {
            if (state == null) {
                return null;
            }
            Long lastHeartbeat = lastHeartbeatAt(startedAt);
            long since = (lastHeartbeat == null ? startedAt : lastHeartbeat) - policy.stabilizationWindow().toMillis() - heldBeforeMillis;
            Long healthySince = state == LinkState.SEVERED ? null : since;
            return new LinkRecord(state, since, "stored", healthySince, lastHeartbeat, lastHeartbeat == null ? null : 200L,
                    lastHeartbeat == null ? null : POSITIONS, lastHeartbeat, since, false);
        }
    }

    @Provide
    Arbitrary<Stored> stored() {
        return Combinators.combine(Arbitraries.of(LinkState.class).injectNull(0.25), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 600_000), Arbitraries.integers().between(0, 300_000)).as(Stored::new);
    }

    /**
     * Heartbeats from {@code firstHeartbeatMillis} after the start on, one read before every look. From one window
     * after the first look that read one, the node is CONNECTED; before that only if it missed nothing (its stored
     * CONNECTED or RECOVERING record's heartbeat was never older than the threshold), and never without a whole
     * window of health behind it.
     */
    @Property(tries = 2_000)
    void aNodeStartingOnAHealthyLinkIsConnectedOneWindowAfterItsFirstHeartbeat(
            @ForAll("stored") Stored stored, @ForAll @IntRange(min = 0, max = 8_000) int firstHeartbeatMillis,
            @ForAll @IntRange(min = 1, max = 15) int thresholdSeconds, @ForAll @IntRange(min = 2, max = 30) int windowSeconds,
            @ForAll @IntRange(min = 1, max = 5) int firstLookTenths) {
        LinkPolicy policy = new LinkPolicy(Duration.ofSeconds(thresholdSeconds), Duration.ofSeconds(windowSeconds), Duration.ofSeconds(60));
        long window = windowSeconds * 1_000L;
        long threshold = thresholdSeconds * 1_000L;
        long startedAt = 1_000_000;
        long firstHeartbeat = startedAt + firstHeartbeatMillis;
        LinkRecord record = stored.record(startedAt, policy);
        Long storedHeartbeat = stored.lastHeartbeatAt(startedAt);
        Long firstHeartbeatLook = null;
        boolean missed = false;
        List<String> changes = new ArrayList<>();
        for (long now = startedAt + firstLookTenths * STEP; now <= startedAt + 60_000; now += LOOK) {
            boolean read = now >= firstHeartbeat;
            if (read && firstHeartbeatLook == null) {
                firstHeartbeatLook = now;
            }
            // Until the first heartbeat read, and including it: was the stored one older than the threshold?
            if (firstHeartbeatLook == null || firstHeartbeatLook == now) {
                missed |= storedHeartbeat == null || now - storedHeartbeat > threshold;
            }
            LinkTick.Result look = LinkTick.tick(record, now, read ? HEARTBEAT : null, now, false, true, POSITIONS, startedAt, policy);
            record = look.record();
            if (look.transition() != null) {
                changes.add(look.transition().previous() + "->" + record.state() + " at +" + (now - startedAt));
            }
            if (record.state() == LinkState.CONNECTED && missed) {
                assertThat(now).as("CONNECTED at +%d after a gap: %s", now - startedAt, changes)
                        .isGreaterThanOrEqualTo(firstHeartbeatLook + window);
            }
            if (firstHeartbeatLook != null && now >= firstHeartbeatLook + window) {
                assertThat(record.state()).as("at +%d: %s", now - startedAt, changes).isEqualTo(LinkState.CONNECTED);
            }
        }
    }

    /**
     * Any link from the start on, second by second up or down (broker and heartbeats together), looked at as the
     * watcher does.
     */
    @Property(tries = 2_000)
    void aNodeStartingOnAnyLinkIsNeverConnectedWithoutProofAndChangesAtMostOncePerWindowAfterItsOpening(
            @ForAll("stored") Stored stored, @ForAll("links") List<Boolean> upBySecond,
            @ForAll @IntRange(min = 1, max = 5) int thresholdSeconds, @ForAll @IntRange(min = 2, max = 20) int windowSeconds) {
        LinkPolicy policy = new LinkPolicy(Duration.ofSeconds(thresholdSeconds), Duration.ofSeconds(windowSeconds), Duration.ofSeconds(60));
        long window = windowSeconds * 1_000L;
        long threshold = thresholdSeconds * 1_000L;
        long startedAt = 1_000_000;
        LinkRecord record = stored.record(startedAt, policy);
        // What really happened: the newest heartbeat anybody read, and since when the link has been healthy without a break.
        Long newestRead = stored.lastHeartbeatAt(startedAt);
        Long healthyRunSince = record == null ? null : record.healthySince();
        // What this node saw, as the watcher keeps it: its own reads only.
        Long ownRead = null;
        boolean dipped = false;
        Long previousChange = null;
        List<String> changes = new ArrayList<>();
        for (long now = startedAt; now < startedAt + upBySecond.size() * 1_000L; now += STEP) {
            boolean up = upBySecond.get((int) ((now - startedAt) / 1_000));
            if (up && now % (STEP * 2) == 0) {
                if (ownRead != null && now - ownRead > threshold) {
                    dipped = true;
                }
                if (newestRead == null || now - newestRead > threshold) {
                    healthyRunSince = now;
                }
                ownRead = now;
                newestRead = now;
            }
            boolean healthy = up && newestRead != null && now - newestRead <= threshold;
            if (!healthy) {
                healthyRunSince = null;
            }
            if ((now - startedAt) % LOOK != 0) {
                continue;
            }
            if (healthy && healthyRunSince == null) {
                healthyRunSince = now;
            }
            boolean opening = LinkTick.opening(record, startedAt);
            LinkState before = record == null ? null : record.state();
            LinkTick.Result look = LinkTick.tick(record, now, ownRead != null && ownRead > now - LOOK ? HEARTBEAT : null,
                    ownRead == null ? 0 : ownRead, dipped, up, POSITIONS, startedAt, policy);
            dipped = false;
            record = look.record();
            if (!healthy) {
                assertThat(record.state()).as("unhealthy at +%d: %s", now - startedAt, changes).isNotEqualTo(LinkState.CONNECTED);
            }
            if (look.transition() == null) {
                continue;
            }
            changes.add(before + "->" + record.state() + " at +" + (now - startedAt));
            if (record.state() == LinkState.CONNECTED) {
                assertThat(healthyRunSince).as("health before CONNECTED: %s", changes).isNotNull();
                assertThat(now - healthyRunSince).as("health before CONNECTED: %s", changes).isGreaterThanOrEqualTo(window);
            }
            boolean exempt = before == null || before == LinkState.CONNECTED || opening;
            if (previousChange != null && !exempt) {
                assertThat(now - previousChange).as("%s", changes).isGreaterThanOrEqualTo(window);
            }
            previousChange = now;
        }
    }

    @Provide
    Arbitrary<List<Boolean>> links() {
        return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(120);
    }
}
