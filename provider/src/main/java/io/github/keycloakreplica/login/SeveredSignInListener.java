package io.github.keycloakreplica.login;

import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.store.ExposureRows;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.SubjectRows;
import org.keycloak.component.ComponentModel;
import org.keycloak.events.Event;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventType;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.storage.UserStoragePrivateUtil;

/**
 * Records every sign-in of a replicated person that this site served while its link was not CONNECTED:
 * who, when, through which client, and the drift at that moment. Runs in the sign-in's own transaction
 * (Keycloak calls listeners before it commits), reads the database only.
 */
final class SeveredSignInListener implements EventListenerProvider {

    private final KeycloakSession session;

    SeveredSignInListener(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public void onEvent(Event event) {
        if (event.getType() != EventType.LOGIN || event.getUserId() == null) {
            return;
        }
        RealmModel realm = session.realms().getRealm(event.getRealmId());
        // The local row is enough: its federation link says where the user comes from.
        UserModel user = realm == null ? null : UserStoragePrivateUtil.userLocalStorage(session).getUserById(realm, event.getUserId());
        ComponentModel component = ReplicaComponents.ofUser(realm, user).orElse(null);
        if (component == null) {
            return;
        }
        long now = event.getTime() > 0 ? event.getTime() : System.currentTimeMillis();
        LinkRecord record = LinkRows.of(session).read(component.getId()).orElse(null);
        if (record != null && record.state().allowsCredentialWrites()) {
            return;
        }
        String subject = SubjectRows.of(session).ofUser(component.getId(), user.getId())
                .map(s -> s.getSubject()).orElse(user.getId());
        ExposureRows.of(session).recordSignIn(component.getId(), realm.getId(), subject, user.getId(), user.getUsername(),
                event.getClientId(), record == null ? "SEVERED" : record.state().name(), record == null ? 0 : record.driftMillis(now), now);
    }

    @Override
    public void onEvent(AdminEvent event, boolean includeRepresentation) {
    }

    @Override
    public void close() {
    }
}
