package io.github.keycloakreplica.link;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class LinkMonitorTest {

    private static final LinkPolicy POLICY = new LinkPolicy(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));

    private static LinkMonitor.Observation seen(long now, Long heartbeatAt, boolean reachable, Long coveredAt) {
        return new LinkMonitor.Observation(now, heartbeatAt, reachable, coveredAt);
    }

    private static LinkMonitor.Status status(LinkState state, long since, Long healthySince) {
        return new LinkMonitor.Status(state, since, healthySince);
    }

    @Test
    void aNewComponentIsNeverConnected() {
        assertThat(LinkMonitor.initial(seen(1_000, 900L, true, null), POLICY).status().state()).isEqualTo(LinkState.RECOVERING);
        LinkMonitor.Decision cold = LinkMonitor.initial(seen(1_000, null, true, null), POLICY);
        assertThat(cold.status().state()).isEqualTo(LinkState.SEVERED);
        assertThat(cold.cause()).contains("no heartbeat received yet");
    }

    @Test
    void connectedBecomesSeveredTheMomentHeartbeatsAreOlderThanTheThreshold() {
        LinkMonitor.Status connected = status(LinkState.CONNECTED, 0, 0L);

        assertThat(LinkMonitor.decide(connected, seen(100_000, 90_000L, true, 90_000L), POLICY).changed()).isFalse();
        LinkMonitor.Decision cut = LinkMonitor.decide(connected, seen(100_001, 90_000L, true, 90_000L), POLICY);

        assertThat(cut.status().state()).isEqualTo(LinkState.SEVERED);
        assertThat(cut.status().since()).isEqualTo(100_001);
        assertThat(cut.cause()).isEqualTo("no heartbeat for 10.0 s (severance threshold 10 s)");
        assertThat(cut.previous()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void anUnreachableBrokerSeversAtOnceWhateverTheLastHeartbeatSaid() {
        LinkMonitor.Decision cut = LinkMonitor.decide(status(LinkState.CONNECTED, 0, 0L), seen(50_000, 49_999L, false, 49_999L), POLICY);

        assertThat(cut.status().state()).isEqualTo(LinkState.SEVERED);
        assertThat(cut.cause()).isEqualTo("the Kafka broker is unreachable");
    }

    @Test
    void severedRecoversOnlyAfterAWholeWindowAndConnectsOnlyOnceCaughtUpAndStable() {
        LinkMonitor.Status severed = status(LinkState.SEVERED, 100_000, null);

        // Healthy again 5 s later: still held, the window is not over.
        LinkMonitor.Decision early = LinkMonitor.decide(severed, seen(105_000, 105_000L, true, null), POLICY);
        assertThat(early.changed()).isFalse();
        assertThat(early.status().healthySince()).isEqualTo(105_000);

        LinkMonitor.Decision recovering = LinkMonitor.decide(early.status(), seen(130_000, 129_000L, true, null), POLICY);
        assertThat(recovering.status().state()).isEqualTo(LinkState.RECOVERING);
        assertThat(recovering.status().healthySince()).isEqualTo(105_000);

        // Healthy, a whole window in RECOVERING, but nothing applied that a heartbeat since the return named.
        LinkMonitor.Decision behind = LinkMonitor.decide(recovering.status(), seen(160_000, 159_000L, true, 99_000L), POLICY);
        assertThat(behind.changed()).isFalse();

        LinkMonitor.Decision connected = LinkMonitor.decide(behind.status(), seen(161_000, 160_500L, true, 160_500L), POLICY);
        assertThat(connected.status().state()).isEqualTo(LinkState.CONNECTED);
        assertThat(connected.cause()).startsWith("caught up, and the link has been healthy for 56 s");
    }

    @Test
    void recoveringThatLosesTheLinkAgainFallsBackOnlyWhenTheWindowIsOver() {
        LinkMonitor.Status recovering = status(LinkState.RECOVERING, 100_000, 100_000L);

        LinkMonitor.Decision held = LinkMonitor.decide(recovering, seen(110_000, 95_000L, true, null), POLICY);
        assertThat(held.status().state()).isEqualTo(LinkState.RECOVERING);
        assertThat(held.status().healthySince()).isNull();

        LinkMonitor.Decision severed = LinkMonitor.decide(held.status(), seen(130_000, 95_000L, true, null), POLICY);
        assertThat(severed.status().state()).isEqualTo(LinkState.SEVERED);
        assertThat(severed.previous()).isEqualTo(LinkState.RECOVERING);
    }

    @Test
    void aBreakInHealthRestartsTheStabilizationWindow() {
        LinkMonitor.Status recovering = status(LinkState.RECOVERING, 100_000, 100_000L);
        LinkMonitor.Decision dip = LinkMonitor.decide(recovering, seen(120_000, 120_000L, false, 120_000L), POLICY);
        LinkMonitor.Decision back = LinkMonitor.decide(dip.status(), seen(125_000, 125_000L, true, 125_000L), POLICY);

        assertThat(LinkMonitor.decide(back.status(), seen(150_000, 150_000L, true, 150_000L), POLICY).changed()).isFalse();
        assertThat(LinkMonitor.decide(back.status(), seen(155_000, 155_000L, true, 155_000L), POLICY).status().state())
                .isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void aGapBetweenTwoHeartbeatsThatNoLookSawStillSevers() {
        LinkMonitor.Status connected = status(LinkState.CONNECTED, 0, 0L);

        // The look sees a fresh heartbeat, but this node read it 12 s after the one before.
        LinkMonitor.Decision cut = LinkMonitor.decide(connected, new LinkMonitor.Observation(100_000, 99_900L, true, 99_900L, true), POLICY);

        assertThat(cut.status().state()).isEqualTo(LinkState.SEVERED);
        assertThat(cut.cause()).contains("heartbeats stopped for longer than the severance threshold");
        assertThat(cut.status().healthySince()).isEqualTo(99_900L);
    }

    @Test
    void aGapWhileRecoveringStartsTheRunOfHealthAgain() {
        LinkMonitor.Status recovering = status(LinkState.RECOVERING, 100_000, 100_000L);

        LinkMonitor.Decision dip = LinkMonitor.decide(recovering, new LinkMonitor.Observation(125_000, 125_000L, true, 125_000L, true), POLICY);
        assertThat(dip.changed()).isFalse();
        assertThat(dip.status().healthySince()).isEqualTo(125_000L);
        assertThat(LinkMonitor.decide(dip.status(), seen(140_000, 140_000L, true, 140_000L), POLICY).changed()).isFalse();
        assertThat(LinkMonitor.decide(dip.status(), seen(155_000, 155_000L, true, 155_000L), POLICY).status().state())
                .isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void theSeveredANodeOpensInIsLeftAtTheFirstHealthyLookAndConnectsOneWindowLater() {
        LinkMonitor.Status opened = status(LinkState.SEVERED, 100_000, null);

        // Still no heartbeat: the node knows nothing yet, and says so.
        LinkMonitor.Decision waiting = LinkMonitor.decide(opened, new LinkMonitor.Observation(100_500, null, true, null, false, true), POLICY);
        assertThat(waiting.changed()).isFalse();

        LinkMonitor.Decision recovering = LinkMonitor.decide(opened, new LinkMonitor.Observation(101_000, 100_900L, true, 100_900L, false, true),
                POLICY);
        assertThat(recovering.status().state()).isEqualTo(LinkState.RECOVERING);
        assertThat(recovering.status().since()).isEqualTo(101_000);
        assertThat(recovering.status().healthySince()).isEqualTo(101_000);
        assertThat(recovering.cause()).contains("since this node started");

        // The proof is unchanged: a whole window of health, and caught up.
        assertThat(LinkMonitor.decide(recovering.status(), seen(130_999, 130_900L, true, 130_900L), POLICY).changed()).isFalse();
        LinkMonitor.Decision connected = LinkMonitor.decide(recovering.status(), seen(131_000, 130_900L, true, 130_900L), POLICY);
        assertThat(connected.status().state()).isEqualTo(LinkState.CONNECTED);
    }

    @Test
    void theSeveredANodeOpensInStaysWhileTheLinkIsNotHealthy() {
        LinkMonitor.Status opened = status(LinkState.SEVERED, 100_000, null);

        assertThat(LinkMonitor.decide(opened, new LinkMonitor.Observation(101_000, 100_900L, false, 100_900L, false, true), POLICY).changed())
                .isFalse();
        assertThat(LinkMonitor.decide(opened, new LinkMonitor.Observation(101_000, 80_000L, true, 80_000L, false, true), POLICY).changed())
                .isFalse();
    }

    @Test
    void onlyConnectedAllowsCredentialWrites() {
        assertThat(LinkState.CONNECTED.allowsCredentialWrites()).isTrue();
        assertThat(LinkState.SEVERED.allowsCredentialWrites()).isFalse();
        assertThat(LinkState.RECOVERING.allowsCredentialWrites()).isFalse();
    }
}
