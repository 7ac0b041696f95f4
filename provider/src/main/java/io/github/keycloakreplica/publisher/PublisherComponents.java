package io.github.keycloakreplica.publisher;

import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;
import org.keycloak.services.ui.extend.UiPageProvider;

import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which of a realm's components is its publisher. The publisher is a component of the admin console's page
 * type ({@code UiPageProvider}), the console's supported way to give a realm a settings page of its own; realm
 * import JSON lists it under that type's name. Keeping the answer here, apart from the factory, lets the
 * capture on request threads ask it without reaching the class that starts Kafka clients.
 */
public final class PublisherComponents {

    /** The page's provider id: realm import JSON and the admin console name the component by it. */
    public static final String PROVIDER_ID = "replica-publisher";

    /** The component type, as realm import JSON writes it under {@code components}. */
    public static final String PROVIDER_TYPE = UiPageProvider.class.getName();

    private PublisherComponents() {
    }

    public static boolean isPublisher(ComponentModel component) {
        return component != null && PROVIDER_ID.equals(component.getProviderId()) && PROVIDER_TYPE.equals(component.getProviderType());
    }

    /** The publisher components of a realm, enabled or not, in the order Keycloak lists them (validation allows one). */
    public static Stream<ComponentModel> all(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), PROVIDER_TYPE).filter(PublisherComponents::isPublisher);
    }

    /**
     * The realm's enabled publisher component, if it has one. Called for every user and admin event: it reads
     * the realm's components by parent and type, which Keycloak's realm cache holds in memory, and parses nothing
     * but the enabled flag.
     */
    public static Optional<ComponentModel> enabledIn(RealmModel realm) {
        if (realm == null) {
            return Optional.empty();
        }
        return all(realm).filter(c -> PublisherConfig.isOn(c.get(PublisherConfig.ENABLED))).findFirst();
    }
}
