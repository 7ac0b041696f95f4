package io.github.keycloakreplica.link;

import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.Heartbeat;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LinkTickTest {

    private static final LinkPolicy POLICY = new LinkPolicy(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60));
    /** When a node started that has watched since before anything here happened. */
    private static final long RUNNING = Long.MIN_VALUE;

    private static Heartbeat heartbeat(long identityEnd) {
        return new Heartbeat(new Envelope("hb-" + identityEnd, "keycloak://primary/realms/acme", EventType.HEARTBEAT, "primary", null),
                Duration.ofSeconds(1), Map.of("acme.identity", Map.of(0, identityEnd, 1, 0L)));
    }

    private static Map<String, Map<Integer, Long>> applied(long identity0) {
        return Map.of("acme.identity", Map.of(0, identity0));
    }

    @Test
    void driftIsTheTimeSinceTheReplicaLastHadAppliedWhatAHeartbeatNamed() {
        LinkTick.Result first = LinkTick.tick(null, 1_000, heartbeat(5), 1_000, false, true, applied(5), RUNNING, POLICY);
        assertThat(first.record().coveredHeartbeatAt()).isEqualTo(1_000);
        assertThat(first.record().driftMillis(1_000)).isZero();

        // The upstream published more; the replica has not applied it yet.
        LinkTick.Result behind = LinkTick.tick(first.record(), 2_000, heartbeat(9), 2_000, false, true, applied(5), RUNNING, POLICY);
        assertThat(behind.record().coveredHeartbeatAt()).isEqualTo(1_000);
        assertThat(behind.record().driftMillis(7_000)).isEqualTo(6_000);

        LinkTick.Result caughtUp = LinkTick.tick(behind.record(), 7_500, null, 0, false, true, applied(9), RUNNING, POLICY);
        assertThat(caughtUp.record().coveredHeartbeatAt()).isEqualTo(2_000);
        assertThat(caughtUp.record().driftMillis(7_500)).isEqualTo(5_500);
    }

    @Test
    void whileSeveredDriftGrowsWithTheSeverance() {
        LinkRecord connected = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 10_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 10_000L, 0, false);

        LinkTick.Result cut = LinkTick.tick(connected, 25_000, null, 0, false, true, applied(5), RUNNING, POLICY);
        assertThat(cut.record().state()).isEqualTo(LinkState.SEVERED);
        assertThat(cut.transition().cause()).contains("no heartbeat for 15 s");
        assertThat(cut.record().driftMillis(25_000)).isEqualTo(15_000);
        assertThat(cut.record().driftMillis(3_610_000)).isEqualTo(3_600_000);
        // Reported as severance, not as a connected replica falling behind.
        assertThat(LinkTick.tick(cut.record(), 100_000, null, 0, false, true, applied(5), RUNNING, POLICY).record().driftExceeded()).isFalse();
    }

    @Test
    void aConnectedReplicaFallingBehindBeyondTheWindowRaisesTheDriftWarningAndClearsIt() {
        LinkRecord connected = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 0L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 0L, 0, false);

        LinkTick.Result behind = LinkTick.tick(connected, 61_000, heartbeat(900), 61_000, false, true, applied(500), RUNNING, POLICY);
        assertThat(behind.record().state()).isEqualTo(LinkState.CONNECTED);
        assertThat(behind.record().driftExceeded()).isTrue();
        assertThat(behind.driftChanged()).isTrue();

        LinkTick.Result caughtUp = LinkTick.tick(behind.record(), 62_000, heartbeat(900), 62_000, false, true, applied(900), RUNNING, POLICY);
        assertThat(caughtUp.record().driftExceeded()).isFalse();
        assertThat(caughtUp.driftChanged()).isTrue();
    }

    @Test
    void anOlderHeartbeatReadByAnotherNodeDoesNotMoveTheRecordBack() {
        LinkTick.Result newest = LinkTick.tick(null, 5_000, heartbeat(9), 5_000, false, true, applied(0), RUNNING, POLICY);

        LinkTick.Result late = LinkTick.tick(newest.record(), 5_100, heartbeat(7), 4_900, false, true, applied(0), RUNNING, POLICY);

        assertThat(late.record().lastHeartbeatAt()).isEqualTo(5_000);
        assertThat(late.record().heartbeatPositions()).isEqualTo(heartbeat(9).positions());
    }

    /** Looks every 500 ms, a heartbeat read every second (nothing to catch up) from {@code heartbeatsFrom}: the first CONNECTED look. */
    private static long connectedAt(LinkRecord stored, long startedAt, long heartbeatsFrom, List<String> changes) {
        LinkRecord record = stored;
        for (long now = startedAt + 500; now < startedAt + 120_000; now += 500) {
            boolean read = now >= heartbeatsFrom && (now - heartbeatsFrom) % 1_000 == 0;
            LinkTick.Result look = LinkTick.tick(record, now, read ? heartbeat(5) : null, now, false, true, applied(5), startedAt, POLICY);
            if (look.transition() != null) {
                changes.add((record == null ? "(new)" : record.state()) + "->" + look.record().state() + " at " + now);
            }
            record = look.record();
            if (record.state() == LinkState.CONNECTED) {
                return now;
            }
        }
        throw new AssertionError("never CONNECTED: " + changes);
    }

    @Test
    void aNewComponentWhoseFirstLookHadNoHeartbeatIsConnectedOneWindowAfterTheFirstHeartbeat() {
        List<String> changes = new ArrayList<>();

        long connected = connectedAt(null, 1_000, 4_000, changes);

        // Before: SEVERED held a window (until 21 500), then RECOVERING another, CONNECTED at 41 500.
        assertThat(changes).containsExactly("(new)->SEVERED at 1500", "SEVERED->RECOVERING at 4000", "RECOVERING->CONNECTED at 24000");
        assertThat(connected).isEqualTo(4_000 + POLICY.stabilizationWindow().toMillis());
    }

    @Test
    void aRestartThatFindsTheStoredRecordStaleIsConnectedOneWindowAfterTheFirstHeartbeat() {
        // CONNECTED when the node went down at 10 s; it starts again at 100 s.
        LinkRecord stored = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 10_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 10_000L, 0, false);
        List<String> changes = new ArrayList<>();

        long connected = connectedAt(stored, 100_000, 102_000, changes);

        // Fail closed at once: the stored heartbeat is 90 s old, whatever the node will read next.
        assertThat(changes).containsExactly("CONNECTED->SEVERED at 100500", "SEVERED->RECOVERING at 102000",
                "RECOVERING->CONNECTED at 122000");
        assertThat(connected).isEqualTo(102_000 + POLICY.stabilizationWindow().toMillis());
    }

    @Test
    void aRestartWhoseFirstLookAlreadyReadsAFreshHeartbeatStillHasToProveTheLink() {
        LinkRecord stored = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 10_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 10_000L, 0, false);

        // Fresh now, but nobody read a heartbeat for 90 s: what was published meanwhile may not be applied yet.
        LinkTick.Result first = LinkTick.tick(stored, 100_500, heartbeat(5), 100_400, false, true, applied(5), 100_000, POLICY);

        assertThat(first.record().state()).isEqualTo(LinkState.RECOVERING);
        assertThat(first.transition().previous()).isEqualTo(LinkState.CONNECTED);
        assertThat(first.transition().cause()).startsWith("this node started and reads fresh heartbeats");
        assertThat(first.record().healthySince()).isEqualTo(100_400);
    }

    @Test
    void aRestartWithinTheThresholdMissedNothingAndStaysConnected() {
        LinkRecord stored = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 95_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 95_000L, 0, false);

        LinkTick.Result first = LinkTick.tick(stored, 100_500, heartbeat(5), 100_400, false, true, applied(5), 100_000, POLICY);

        assertThat(first.transition()).isNull();
        assertThat(first.record().state()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void healthBeforeAGapThatSpansTheStartDoesNotCount() {
        // RECOVERING, healthy since 0 and caught up, when the node went down at 10 s.
        LinkRecord stored = new LinkRecord(LinkState.RECOVERING, 0, "catching up", 0L, 10_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 10_000L, 0, false);

        LinkTick.Result first = LinkTick.tick(stored, 100_500, heartbeat(5), 100_400, false, true, applied(5), 100_000, POLICY);

        assertThat(first.record().state()).isEqualTo(LinkState.RECOVERING);
        assertThat(first.record().healthySince()).isEqualTo(100_400);
        assertThat(LinkTick.tick(first.record(), 120_400, heartbeat(5), 120_400, false, true, applied(5), 100_000, POLICY).record().state())
                .isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void aCutSeenBeforeTheStartIsStillHeldForAWholeWindow() {
        // Another node (or this one before its restart) saw the link go down 5 s before this node started.
        LinkRecord severed = new LinkRecord(LinkState.SEVERED, 95_000, "no heartbeat for 10 s", null, 85_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 85_000L, 0, false);
        List<String> changes = new ArrayList<>();

        connectedAt(severed, 100_000, 101_000, changes);

        assertThat(changes).containsExactly("SEVERED->RECOVERING at 115000", "RECOVERING->CONNECTED at 135000");
    }

    @Test
    void onceAHeartbeatWasReadSinceTheStartASeveranceIsHeldForAWholeWindow() {
        LinkTick.Result opened = LinkTick.tick(null, 100_500, null, 0, false, true, applied(5), 100_000, POLICY);
        LinkTick.Result recovering = LinkTick.tick(opened.record(), 101_000, heartbeat(5), 101_000, false, true, applied(5), 100_000, POLICY);
        assertThat(recovering.record().state()).isEqualTo(LinkState.RECOVERING);

        // The heartbeats stop; RECOVERING gives way after its window, and that SEVERED was seen, so it is held.
        LinkTick.Result cut = LinkTick.tick(recovering.record(), 121_000, null, 0, false, true, applied(5), 100_000, POLICY);
        assertThat(cut.record().state()).isEqualTo(LinkState.SEVERED);
        assertThat(LinkTick.opening(cut.record(), 100_000)).isFalse();
        assertThat(LinkTick.tick(cut.record(), 122_000, heartbeat(5), 122_000, false, true, applied(5), 100_000, POLICY).transition()).isNull();
        assertThat(LinkTick.tick(cut.record(), 141_000, heartbeat(5), 141_000, false, true, applied(5), 100_000, POLICY).record().state())
                .isEqualTo(LinkState.RECOVERING);
    }

    @Test
    void partitionsTheReplicaNeverStoredCountAsCoveredOnlyWhenEmpty() {
        assertThat(LinkTick.covers(Map.of(), Map.of("t", Map.of(0, 0L)))).isTrue();
        assertThat(LinkTick.covers(Map.of(), Map.of("t", Map.of(0, 1L)))).isFalse();
        assertThat(LinkTick.covers(Map.of("t", Map.of(0, 3L)), Map.of("t", Map.of(0, 3L)))).isTrue();
    }
}
