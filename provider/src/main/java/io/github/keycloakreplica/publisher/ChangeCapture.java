package io.github.keycloakreplica.publisher;

import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * The request-side half of the publisher: marks the person a user or admin event is about, when the event's realm
 * publishes. Runs inside the request's transaction, as Keycloak calls listeners before commit; it reads nothing but
 * the realm's settings (cached) and writes nothing until the prepare phase ({@link PendingIntents}).
 */
final class ChangeCapture implements EventListenerProvider {

    private final KeycloakSession session;

    ChangeCapture(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        ChangeTriggers.ofUserEvent(event.getType() == null ? null : event.getType().name(), event.getUserId())
                .ifPresent(user -> markIfPublishing(event.getRealmId(), user, "event " + event.getType().name()));
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
        ChangeTriggers.ofAdminEvent(event.getResourceTypeAsString(), event.getResourcePath())
                .ifPresent(user -> markIfPublishing(event.getRealmId(), user,
                        "admin " + event.getResourceTypeAsString() + " " + event.getOperationType()));
    }

    private void markIfPublishing(String realmId, String subject, String reason) {
        if (realmId == null) {
            return;
        }
        RealmModel realm = session.realms().getRealm(realmId);
        if (realm != null && Publishing.enabledIn(realm)) {
            PendingIntents.mark(session, realmId, subject, reason);
        }
    }

    @Override
    public void close() {
    }
}
