package io.github.keycloakreplica.replica;

import io.github.keycloakreplica.store.ReplicaOperationEntity;
import org.keycloak.storage.user.SynchronizationResult;

/**
 * What Keycloak's "Sync all users" and "Sync changed users" get back: at once, never after the work.
 * The admin console shows the status of an "ignored" result as is, so that is where the operation, its
 * state and its progress go; Keycloak's own wording would claim it was already in progress.
 */
final class OperationSyncResult extends SynchronizationResult {

    private final String status;

    private OperationSyncResult(String status) {
        this.status = status;
        setIgnored(true);
    }

    /** @param last the full sync that finished last before this one, if any: its result is the one there is to show */
    static OperationSyncResult started(ReplicaOperationEntity operation, boolean created, ReplicaOperationEntity last, String realm) {
        String where = "GET /admin/realms/" + realm + "/replica/operations/" + operation.getId();
        if (created) {
            return new OperationSyncResult("Full sync started as operation " + operation.getId()
                    + ": it runs in the background and commits in batches; follow it at " + where
                    + (last == null ? "" : ". The last one, " + last.getId() + ", " + last.getState().toLowerCase(java.util.Locale.ROOT)
                    + " at " + CredentialRefusal.since(last.getEndedAt()) + ": " + last.getProcessed() + " subjects, "
                    + last.getAdded() + " users added, " + last.getUpdated() + " updated, " + last.getRemoved() + " removed, "
                    + last.getFailed() + " failed"));
        }
        return new OperationSyncResult("A full sync is already " + operation.getState().toLowerCase(java.util.Locale.ROOT)
                + " (operation " + operation.getId() + ", " + operation.getProcessed() + " subjects so far, " + operation.getAdded()
                + " users added, " + operation.getUpdated() + " updated, " + operation.getRemoved() + " removed); follow it at " + where);
    }

    static OperationSyncResult continuous() {
        return new OperationSyncResult("Changed users arrive continuously from the delta topics, within the drift window: there is "
                + "nothing to start. Sync all users re-reads the snapshot topics");
    }

    @Override
    public String getStatus() {
        return status;
    }
}
