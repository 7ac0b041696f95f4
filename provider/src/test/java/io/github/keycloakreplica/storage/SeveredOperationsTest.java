package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.sync.OperationKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeveredOperationsTest {

    private static LinkRecord link(LinkState state) {
        return new LinkRecord(state, 1_796_644_800_000L, "heartbeats stopped 20 s ago", null, null, null, null, null, 0, false);
    }

    @Test
    void everyOperationIsRefusedWhileSeveredWithTheReasonAndNothingQueued() {
        assertThat(SeveredOperations.refusal(OperationKind.FULL, link(LinkState.SEVERED))).hasValue(
                "A full sync reads the upstream's snapshot topics, which this site cannot reach now (link SEVERED since "
                        + "2026-12-07 12:00 UTC: heartbeats stopped 20 s ago). Nothing was queued: start it again once the link is back.");
        assertThat(SeveredOperations.refusal(OperationKind.ORPHANS, link(LinkState.SEVERED))).hasValueSatisfying(
                text -> assertThat(text).startsWith("An orphan reconciliation reads"));
        assertThat(SeveredOperations.refusal(OperationKind.TARGETED, null)).hasValueSatisfying(
                text -> assertThat(text).contains("(link not looked at yet)"));
    }

    @Test
    void aRecoveringOrConnectedLinkLetsThemStart() {
        for (OperationKind kind : OperationKind.values()) {
            assertThat(SeveredOperations.refusal(kind, link(LinkState.RECOVERING))).isEmpty();
            assertThat(SeveredOperations.refusal(kind, link(LinkState.CONNECTED))).isEmpty();
        }
    }
}
