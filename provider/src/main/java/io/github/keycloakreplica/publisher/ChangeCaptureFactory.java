package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.store.PublisherIntentEntity;
import io.github.keycloakreplica.store.PublisherRows;
import org.keycloak.Config;
import org.keycloak.events.EventListenerProvider;
import org.keycloak.events.EventListenerProviderFactory;
import org.keycloak.models.ClientModel;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.OrganizationModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleContainerModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.provider.ProviderEvent;

/**
 * Registers the publisher's capture: a global event listener, so no realm has to list it among its event listeners
 * (a realm publishes when it has a publisher component), and a listener of Keycloak's provider events, which the JPA
 * store fires on every path that grants or revokes a role, adds or removes a group member or removes a user,
 * workflows and identity-provider mappers included. Renames and removals of roles, groups and clients change what
 * every holder carries and ask for the whole realm to be compared.
 */
public final class ChangeCaptureFactory implements EventListenerProviderFactory {

    public static final String PROVIDER_ID = "replica-publisher";

    @Override
    public EventListenerProvider create(KeycloakSession session) {
        return new ChangeCapture(session);
    }

    @Override
    public boolean isGlobal() {
        return true;
    }

    @Override
    public void init(Config.Scope config) {
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        factory.register(ChangeCaptureFactory::onProviderEvent);
    }

    static void onProviderEvent(ProviderEvent event) {
        if (event instanceof RoleModel.RoleGrantedEvent granted) {
            mark(granted.getKeycloakSession(), granted.getRealm(), granted.getUser(), "role granted");
        } else if (event instanceof RoleModel.RoleRevokedEvent revoked) {
            mark(revoked.getKeycloakSession(), revoked.getRealm(), revoked.getUser(), "role revoked");
        } else if (event instanceof GroupModel.GroupMemberJoinEvent joined) {
            mark(joined.getKeycloakSession(), joined.getRealm(), joined.getUser(), "group joined");
        } else if (event instanceof GroupModel.GroupMemberLeaveEvent left) {
            mark(left.getKeycloakSession(), left.getRealm(), left.getUser(), "group left");
        } else if (event instanceof UserModel.UserPreRemovedEvent removed) {
            mark(removed.getKeycloakSession(), removed.getRealm(), removed.getUser(), "user removed");
        } else if (event instanceof OrganizationModel.OrganizationMembershipEvent membership && membership.getUser() != null) {
            KeycloakSession session = membership.getSession();
            mark(session, session.getContext().getRealm(), membership.getUser(), "organization membership");
        } else if (event instanceof RoleModel.RoleNameChangeEvent renamed) {
            markRealm(renamed.getKeycloakSession(), renamed.getRealm(), "role renamed");
        } else if (event instanceof RoleContainerModel.RoleRemovedEvent removed) {
            markRealm(removed.getKeycloakSession(), realmOf(removed.getRole()), "role removed");
        } else if (event instanceof GroupModel.GroupPathChangeEvent moved) {
            markRealm(moved.getKeycloakSession(), moved.getRealm(), "group renamed or moved");
        } else if (event instanceof GroupModel.GroupRemovedEvent removed) {
            markRealm(removed.getKeycloakSession(), removed.getRealm(), "group removed");
        } else if (event instanceof ClientModel.ClientIdChangeEvent renamed) {
            markRealm(renamed.getKeycloakSession(), renamed.getUpdatedClient().getRealm(), "client renamed");
        } else if (event instanceof ClientModel.ClientRemovedEvent removed) {
            markRealm(removed.getKeycloakSession(), removed.getClient().getRealm(), "client removed");
        } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
            // Inside the removing transaction: the publisher's rows go with the realm.
            PublisherRows.of(removed.getKeycloakSession()).forgetRealm(removed.getRealm().getId());
        }
    }

    private static void mark(KeycloakSession session, RealmModel realm, UserModel user, String reason) {
        if (session != null && realm != null && user != null && Publishing.enabledIn(realm)) {
            PendingIntents.mark(session, realm.getId(), user.getId(), reason);
        }
    }

    private static void markRealm(KeycloakSession session, RealmModel realm, String reason) {
        if (session != null && realm != null && Publishing.enabledIn(realm)) {
            PendingIntents.mark(session, realm.getId(), PublisherIntentEntity.WHOLE_REALM, reason);
        }
    }

    private static RealmModel realmOf(RoleModel role) {
        RoleContainerModel container = role.getContainer();
        if (container instanceof RealmModel realm) {
            return realm;
        }
        return container instanceof ClientModel client ? client.getRealm() : null;
    }

    @Override
    public void close() {
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }
}
