package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.stream.LogSafe;
import org.jboss.logging.Logger;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

import java.util.Optional;

/**
 * The request-side half of the publisher: marks the person a user or admin event is about, when the event's realm
 * publishes. Runs inside the request's transaction, as Keycloak calls listeners before commit; it reads nothing but
 * the realm's settings (cached) and writes nothing until the prepare phase ({@link PendingIntents}).
 */
final class ChangeCapture implements EventListenerProvider {

    private static final Logger log = Logger.getLogger(ChangeCapture.class);

    private final KeycloakSession session;

    ChangeCapture(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        ChangeTriggers.ofUserEvent(event.getType() == null ? null : event.getType().name(), event.getUserId(), event.getDetails())
                .ifPresent(user -> markIfPublishing(event.getRealmId(), user, "event " + event.getType().name()));
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        Optional<String> user = ChangeTriggers.ofAdminEvent(event.getResourceTypeAsString(), event.getResourcePath());
        if (log.isDebugEnabled()) {
            log.debugf("admin event %s %s %s marks %s", event.getResourceTypeAsString(), event.getOperationType(),
                    LogSafe.escape(String.valueOf(event.getResourcePath()), 300), user.orElse("nobody"));
        }
        user.ifPresent(subject -> markIfPublishing(event.getRealmId(), subject,
                "admin " + event.getResourceTypeAsString() + " " + event.getOperationType()));
    }

    private void markIfPublishing(String realmId, String subject, String reason) {
        if (realmId == null) {
            return;
        }
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm != null && PublisherComponents.enabledIn(realm).isPresent()) {
            boolean marked = PendingIntents.mark(session, realmId, subject, reason);
            if (log.isDebugEnabled()) {
                log.debugf("realm %s: %s %s (%s)", realm.getName(), marked ? "marked" : "could not mark, no active transaction:", subject,
                        reason);
            }
        }
    }

    @Override
    public void close() {
    }
}
