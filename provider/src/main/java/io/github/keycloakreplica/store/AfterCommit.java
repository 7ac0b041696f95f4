package io.github.keycloakreplica.store;

import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;

/**
 * Work that must happen only once the session's transaction has committed: counting what a batch applied
 * (a batch that rolls back is applied again and would count twice), or restarting a component's runtime
 * after its edit is stored. Keycloak runs it after completion and never on rollback.
 */
public final class AfterCommit {

    private AfterCommit() {
    }

    public static void run(KeycloakSession session, Runnable work) {
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                work.run();
            }

            @Override
            protected void rollbackImpl() {
                // Nothing happened, so there is nothing to undo.
            }
        });
    }
}
