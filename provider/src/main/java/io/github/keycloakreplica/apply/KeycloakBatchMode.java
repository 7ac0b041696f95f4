package io.github.keycloakreplica.apply;

import org.keycloak.connections.jpa.support.EntityManagers;
import org.keycloak.models.KeycloakSession;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs work in Keycloak's own batch mode, as its realm import does for users: no flush after each
 * user, role or group write and none before each query, so the transaction's writes reach the
 * database once, in JDBC batches, at commit; otherwise every query re-checks every entity the
 * transaction holds, and the cost of a transaction grows with the square of its size. Queries
 * then miss unflushed writes: {@link UserWriter} flushes where a later read needs an earlier write.
 */
final class KeycloakBatchMode {

    private KeycloakBatchMode() {
    }

    static <T> T run(KeycloakSession session, Supplier<T> work) {
        List<T> result = new ArrayList<>(1);
        EntityManagers.runInBatch(session, () -> result.add(work.get()), false);
        return result.get(0);
    }
}
