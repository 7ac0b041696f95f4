package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.store.PublisherRows;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakTransactionManager;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The people a request changed, kept in its session and written as intent rows in the prepare phase of its
 * transaction: after everything the request did, before its database commit, in the same database transaction. A
 * failure to write them fails the commit (no change without its intent), a rollback takes them along (no intent for
 * a change that never happened), and nothing here reads anything or talks to anyone but the database.
 */
final class PendingIntents extends AbstractKeycloakTransaction {

    private static final String SESSION_KEY = PendingIntents.class.getName();

    private final KeycloakSession session;
    /** A person of a realm, as an intent names them. */
    private record Person(String realmId, String subject) {
    }

    /** The first reason is kept; the rest are the same person again. */
    private final Map<Person, String> pending = new LinkedHashMap<>();

    private PendingIntents(KeycloakSession session) {
        this.session = session;
    }

    /**
     * Notes that a person of a realm changed. The first note of a session enlists the write; a session whose
     * transaction is not active (a read-only request, or one already committing) has nothing to record into, and
     * the reconcile finds what it changed.
     */
    static boolean mark(KeycloakSession session, String realmId, String subject, String reason) {
        KeycloakTransactionManager transaction = session.getTransactionManager();
        if (transaction == null || !transaction.isActive() || transaction.getRollbackOnly()) {
            return false;
        }
        PendingIntents intents = session.getAttribute(SESSION_KEY, PendingIntents.class);
        if (intents == null) {
            intents = new PendingIntents(session);
            session.setAttribute(SESSION_KEY, intents);
            transaction.enlistPrepare(intents);
        }
        intents.pending.putIfAbsent(new Person(realmId, subject), reason);
        return true;
    }

    @Override
    protected void commitImpl() {
        if (pending.isEmpty()) {
            return;
        }
        PublisherRows rows = PublisherRows.of(session);
        long now = System.currentTimeMillis();
        pending.forEach((person, reason) -> rows.addIntent(person.realmId(), person.subject(), reason, now));
        pending.clear();
        session.removeAttribute(SESSION_KEY);
    }

    @Override
    protected void rollbackImpl() {
        pending.clear();
        session.removeAttribute(SESSION_KEY);
    }
}
