package io.github.keycloakreplica.config;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.storage.UserStorageProvider;

import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which of a realm's components are replica components, and which one a user comes from. The sign-in
 * hooks, the credential gate, the admin resource and the factory all ask this; keeping the answer here
 * (rather than on the factory) lets the sign-in path name the provider id without reaching the class that
 * starts Kafka clients.
 */
public final class ReplicaComponents {

    /** The user federation provider id: realm import JSON and the admin console name the component by it. */
    public static final String PROVIDER_ID = "replica";

    private ReplicaComponents() {
    }

    public static boolean isReplica(ComponentModel component) {
        return component != null && PROVIDER_ID.equals(component.getProviderId());
    }

    /** The replica components of a realm, enabled or not, in the order Keycloak lists them. */
    public static Stream<ComponentModel> of(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), UserStorageProvider.class.getName()).filter(ReplicaComponents::isReplica);
    }

    /** The replica component a user comes from; empty for local users and users of other providers. */
    public static Optional<ComponentModel> ofUser(RealmModel realm, UserModel user) {
        String link = user == null ? null : user.getFederationLink();
        if (realm == null || link == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(realm.getComponent(link)).filter(ReplicaComponents::isReplica);
    }
}
