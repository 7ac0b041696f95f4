package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.store.OperationRows;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.Optional;
import java.util.UUID;

/**
 * Starts sync operations, for every caller alike (the admin REST resource, Keycloak's own sync buttons
 * and schedules); a node's operation runner picks one up within a second. Nothing here waits for it to run.
 */
public final class Operations {

    private Operations() {
    }

    /**
     * @param idempotencyKey null for a new key: then a second request is a second operation
     * @return the operation, and whether this call created it (false: the key named an existing one)
     */
    public static OperationRows.Started start(KeycloakSession session, ComponentModel component, OperationKind kind, String scope,
                                              String requestedBy, String reason, String idempotencyKey) {
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? UUID.randomUUID().toString() : idempotencyKey.trim();
        KeycloakSessionFactory sessions = session.getKeycloakSessionFactory();
        // A transaction of its own: two requests with one key at the same moment both miss the other's row,
        // and the unique key lets one commit; the other's failure is only known at commit, where the
        // caller's transaction could no longer recover. The loser then finds the winner's operation.
        try {
            return KeycloakModelUtils.runJobInTransactionWithResult(sessions, s -> OperationRows.of(s).start(component.getId(),
                    component.getParentId(), kind.name(), scope, requestedBy, reason, key, System.currentTimeMillis()));
        } catch (RuntimeException e) {
            Optional<ReplicaOperationEntity> winner = KeycloakModelUtils.runJobInTransactionWithResult(sessions,
                    s -> OperationRows.of(s).byKey(component.getId(), key));
            if (winner.isEmpty()) {
                throw e;
            }
            return new OperationRows.Started(winner.get(), false);
        }
    }

    /**
     * A full sync for Keycloak's own "Sync all users" button and periodic full sync: joins the one already
     * queued or running, if there is one, rather than stacking another behind it.
     */
    public static OperationRows.Started fullSync(KeycloakSession session, ComponentModel component, String requestedBy, String reason) {
        Optional<ReplicaOperationEntity> active = OperationRows.of(session).active(component.getId(), OperationKind.FULL.name());
        return active.map(o -> new OperationRows.Started(o, false))
                .orElseGet(() -> start(session, component, OperationKind.FULL, null, requestedBy, reason, null));
    }
}
