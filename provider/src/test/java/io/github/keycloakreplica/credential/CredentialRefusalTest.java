package io.github.keycloakreplica.credential;

import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialRefusalTest {

    private static LinkRecord link(LinkState state) {
        return new LinkRecord(state, Instant.parse("2026-11-23T10:42:00Z").toEpochMilli(), "cause", null, null, null, null, null, 0, false);
    }

    @Test
    void whileSeveredEveryChangeIsRefusedNamingTheUpstreamAndSince() {
        CredentialRefusal refusal = CredentialRefusal.of(link(LinkState.SEVERED), true, "alice", "the HQ Keycloak").orElseThrow();

        assertThat(refusal.error()).isEqualTo(CredentialRefusal.LINK_DOWN);
        assertThat(refusal.messageKey()).isEqualTo("replicaCredentialsSevered");
        assertThat(refusal.parameters()).containsExactly("alice", "the HQ Keycloak", "2026-11-23 10:42 UTC");
        assertThat(refusal.text()).contains("alice", "the HQ Keycloak", "down (since 2026-11-23 10:42 UTC)").doesNotContain("'");
    }

    @Test
    void whileRecoveringTooAndNeverLookedAtCountsAsSevered() {
        assertThat(CredentialRefusal.of(link(LinkState.RECOVERING), true, "alice", "HQ").orElseThrow().messageKey())
                .isEqualTo("replicaCredentialsRecovering");
        assertThat(CredentialRefusal.of(null, true, "alice", "HQ").orElseThrow().error()).isEqualTo(CredentialRefusal.LINK_DOWN);
    }

    @Test
    void connectedNeedsAnAuthoritativeWritePath() {
        assertThat(CredentialRefusal.of(link(LinkState.CONNECTED), false, "alice", "HQ").orElseThrow().error())
                .isEqualTo(CredentialRefusal.MANAGED_UPSTREAM);
        assertThat(CredentialRefusal.of(link(LinkState.CONNECTED), true, "alice", "HQ")).isEmpty();
    }

    @Test
    void writePathAnswersBecomeRefusalsWithTheirOwnStatus() {
        CredentialRefusal refused = CredentialRefusal.refusedUpstream("alice", "HQ", "Password must be at least 12 characters.");
        CredentialRefusal unconfirmed = CredentialRefusal.unconfirmed("alice", "HQ", "HQ could not be reached (ConnectException)");
        CredentialRefusal order = CredentialRefusal.orderUpstream("alice", "HQ");

        assertThat(refused.httpStatus()).isEqualTo(400);
        assertThat(refused.text()).isEqualTo("The change of sign-in methods of alice was not accepted by HQ: Password must be at least 12 characters.");
        assertThat(unconfirmed.httpStatus()).isEqualTo(503);
        assertThat(unconfirmed.text()).contains("was not confirmed by HQ", "did not make it", "could not be reached", "arrives here through");
        assertThat(order.httpStatus()).isEqualTo(409);
        assertThat(CredentialRefusal.managedUpstream("alice", "HQ").httpStatus()).isEqualTo(409);
        assertThat(refused.text() + unconfirmed.text() + order.text()).doesNotContain("'");
    }
}
