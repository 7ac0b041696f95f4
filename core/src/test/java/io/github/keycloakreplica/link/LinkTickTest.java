package io.github.keycloakreplica.link;

import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.Heartbeat;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LinkTickTest {

    private static final LinkPolicy POLICY = new LinkPolicy(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(60));

    private static Heartbeat heartbeat(long identityEnd) {
        return new Heartbeat(new Envelope("hb-" + identityEnd, "keycloak://primary/realms/acme", EventType.HEARTBEAT, "primary", null),
                Duration.ofSeconds(1), Map.of("acme.identity", Map.of(0, identityEnd, 1, 0L)));
    }

    private static Map<String, Map<Integer, Long>> applied(long identity0) {
        return Map.of("acme.identity", Map.of(0, identity0));
    }

    @Test
    void driftIsTheTimeSinceTheReplicaLastHadAppliedWhatAHeartbeatNamed() {
        LinkTick.Result first = LinkTick.tick(null, 1_000, heartbeat(5), 1_000, false, true, applied(5), POLICY);
        assertThat(first.record().coveredHeartbeatAt()).isEqualTo(1_000);
        assertThat(first.record().driftMillis(1_000)).isZero();

        // The upstream published more; the replica has not applied it yet.
        LinkTick.Result behind = LinkTick.tick(first.record(), 2_000, heartbeat(9), 2_000, false, true, applied(5), POLICY);
        assertThat(behind.record().coveredHeartbeatAt()).isEqualTo(1_000);
        assertThat(behind.record().driftMillis(7_000)).isEqualTo(6_000);

        LinkTick.Result caughtUp = LinkTick.tick(behind.record(), 7_500, null, 0, false, true, applied(9), POLICY);
        assertThat(caughtUp.record().coveredHeartbeatAt()).isEqualTo(2_000);
        assertThat(caughtUp.record().driftMillis(7_500)).isEqualTo(5_500);
    }

    @Test
    void whileSeveredDriftGrowsWithTheSeverance() {
        LinkRecord connected = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 10_000L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 10_000L, 0, false);

        LinkTick.Result cut = LinkTick.tick(connected, 25_000, null, 0, false, true, applied(5), POLICY);
        assertThat(cut.record().state()).isEqualTo(LinkState.SEVERED);
        assertThat(cut.transition().cause()).contains("no heartbeat for 15 s");
        assertThat(cut.record().driftMillis(25_000)).isEqualTo(15_000);
        assertThat(cut.record().driftMillis(3_610_000)).isEqualTo(3_600_000);
        // Reported as severance, not as a connected replica falling behind.
        assertThat(LinkTick.tick(cut.record(), 100_000, null, 0, false, true, applied(5), POLICY).record().driftExceeded()).isFalse();
    }

    @Test
    void aConnectedReplicaFallingBehindBeyondTheWindowRaisesTheDriftWarningAndClearsIt() {
        LinkRecord connected = new LinkRecord(LinkState.CONNECTED, 0, "caught up", 0L, 0L, 1_000L,
                Map.of("acme.identity", Map.of(0, 5L)), 0L, 0, false);

        LinkTick.Result behind = LinkTick.tick(connected, 61_000, heartbeat(900), 61_000, false, true, applied(500), POLICY);
        assertThat(behind.record().state()).isEqualTo(LinkState.CONNECTED);
        assertThat(behind.record().driftExceeded()).isTrue();
        assertThat(behind.driftChanged()).isTrue();

        LinkTick.Result caughtUp = LinkTick.tick(behind.record(), 62_000, heartbeat(900), 62_000, false, true, applied(900), POLICY);
        assertThat(caughtUp.record().driftExceeded()).isFalse();
        assertThat(caughtUp.driftChanged()).isTrue();
    }

    @Test
    void anOlderHeartbeatReadByAnotherNodeDoesNotMoveTheRecordBack() {
        LinkTick.Result newest = LinkTick.tick(null, 5_000, heartbeat(9), 5_000, false, true, applied(0), POLICY);

        LinkTick.Result late = LinkTick.tick(newest.record(), 5_100, heartbeat(7), 4_900, false, true, applied(0), POLICY);

        assertThat(late.record().lastHeartbeatAt()).isEqualTo(5_000);
        assertThat(late.record().heartbeatPositions()).isEqualTo(heartbeat(9).positions());
    }

    @Test
    void partitionsTheReplicaNeverStoredCountAsCoveredOnlyWhenEmpty() {
        assertThat(LinkTick.covers(Map.of(), Map.of("t", Map.of(0, 0L)))).isTrue();
        assertThat(LinkTick.covers(Map.of(), Map.of("t", Map.of(0, 1L)))).isFalse();
        assertThat(LinkTick.covers(Map.of("t", Map.of(0, 3L)), Map.of("t", Map.of(0, 3L)))).isTrue();
    }
}
