package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.credential.CredentialRefusal;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.sync.OperationKind;

import java.util.Optional;

/**
 * Sync operations read the upstream's snapshot topics, which a severed site cannot reach. Started while
 * SEVERED, one would retry on Kafka timeouts for minutes and then run at an hour nobody chose (a
 * deprovisioning sweep among them), so it is refused, not queued, with the reason; the incremental
 * sync goes on by itself.
 */
public final class SeveredOperations {

    private SeveredOperations() {
    }

    /**
     * @param link the component's link, null when never looked at yet (counts as severed)
     * @return why the operation cannot start now, or empty when it can
     */
    public static Optional<String> refusal(OperationKind kind, LinkRecord link) {
        if (link != null && link.state() != LinkState.SEVERED) {
            return Optional.empty();
        }
        String what = switch (kind) {
            case FULL -> "A full sync";
            case TARGETED -> "A targeted sync";
            case ORPHANS -> "An orphan reconciliation";
        };
        return Optional.of(what + " reads the upstream's snapshot topics, which this site cannot reach now (link "
                + (link == null ? "not looked at yet" : "SEVERED since " + CredentialRefusal.since(link.since()) + ": " + link.cause())
                + "). Nothing was queued: start it again once the link is back.");
    }
}
