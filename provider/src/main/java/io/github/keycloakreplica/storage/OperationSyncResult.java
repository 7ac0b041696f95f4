package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.credential.CredentialRefusal;
import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import org.keycloak.storage.user.SynchronizationResult;

import java.util.Locale;

/**
 * What Keycloak's "Sync all users" and "Sync changed users" get back: at once, never after the work.
 * The admin console shows the status of an "ignored" result as is, so that is where the operation, who
 * it is for, its state and its progress go; Keycloak's own wording would claim it was already in progress.
 */
final class OperationSyncResult extends SynchronizationResult {

    private final String status;

    private OperationSyncResult(String status) {
        this.status = status;
        setIgnored(true);
    }

    /** A full sync that was not started, and why (see {@link SeveredOperations}). */
    static OperationSyncResult refused(String why) {
        return new OperationSyncResult("Full sync not started. " + why);
    }

    /** @param last the full sync that finished last before this one, if any: its result is the one there is to show */
    static OperationSyncResult started(ReplicaOperationEntity operation, boolean created, ReplicaOperationEntity last, String realm) {
        String where = "GET /admin/realms/" + realm + "/replica/operations/" + operation.getId();
        if (created) {
            return new OperationSyncResult("Full sync started as operation " + operation.getId() + " (requested by " + operation.getRequestedBy()
                    + "): it runs in the background and commits in batches; follow it at " + where
                    + (last == null ? "" : ". The last one, " + last.getId() + ", " + last.getState().toLowerCase(Locale.ROOT)
                    + " at " + CredentialRefusal.since(last.getEndedAt()) + ": " + last.getProcessed() + " subjects, "
                    + last.getAdded() + " users added, " + last.getUpdated() + " updated, " + last.getRemoved() + " removed, "
                    + last.getFailed() + " failed"));
        }
        return new OperationSyncResult("A full sync is already " + operation.getState().toLowerCase(Locale.ROOT)
                + " (operation " + operation.getId() + ", requested by " + operation.getRequestedBy() + ", " + operation.getProcessed() + " subjects so far, " + operation.getAdded()
                + " users added, " + operation.getUpdated() + " updated, " + operation.getRemoved() + " removed); follow it at " + where);
    }

    /**
     * What the component's page can show of the replica's state: Keycloak's admin console has no
     * extension point on a user federation component's page but the answers of its two sync buttons, so
     * "Sync changed users", which has nothing to start, answers with the state.
     *
     * @param link             the component's link, null when never looked at
     * @param behind           records published and not yet applied as of the newest heartbeat, null without one
     * @param openGaps         subjects with an open gap
     * @param lastFull         the full sync that finished last, if any
     */
    static OperationSyncResult continuous(LinkRecord link, LinkPolicy policy, Long behind, int partitions, long openGaps,
                                          ReplicaOperationEntity lastFull, boolean writePath, String realm, long now) {
        StringBuilder s = new StringBuilder("Changed users arrive continuously from the delta topics: there is nothing to start. ");
        if (link == null) {
            s.append("Link: not looked at yet");
        } else {
            s.append("Link: ").append(link.state()).append(" since ").append(CredentialRefusal.since(link.since()));
            if (link.state() != LinkState.CONNECTED && link.cause() != null) {
                s.append(" (").append(link.cause()).append(')');
            }
            s.append(String.format(Locale.ROOT, ", drift %.1f s (window %d s%s)", link.driftMillis(now) / 1000.0,
                    policy.driftWindow().toSeconds(), link.driftExceeded() ? ", exceeded" : ""));
        }
        s.append(". Incremental sync: ").append(behind == null ? "no heartbeat yet to measure the lag by"
                : behind + " record(s) behind the newest heartbeat").append(" over ").append(partitions).append(" partition(s)");
        s.append("; ").append(openGaps).append(" subject(s) with open gaps");
        if (lastFull != null && lastFull.getEndedAt() != null) {
            s.append(". Last full sync ").append(lastFull.getState().toLowerCase(Locale.ROOT)).append(" at ")
                    .append(CredentialRefusal.since(lastFull.getEndedAt())).append(": ").append(lastFull.getProcessed()).append(" subjects, ")
                    .append(lastFull.getAdded()).append(" added, ").append(lastFull.getUpdated()).append(" updated, ")
                    .append(lastFull.getFailed()).append(" failed");
        }
        s.append(". Credential changes: ").append(!writePath ? "refused (no write path configured)"
                : link != null && link.state().allowsCredentialWrites() ? "sent to the authority" : "refused while the link is not CONNECTED");
        s.append(". Details: GET /admin/realms/").append(realm).append("/replica/link, /lag, /gaps, /operations");
        return new OperationSyncResult(s.toString());
    }

    @Override
    public String getStatus() {
        return status;
    }
}
