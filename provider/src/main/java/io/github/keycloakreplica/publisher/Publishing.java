package io.github.keycloakreplica.publisher;

import org.keycloak.models.RealmModel;

/** Whether a realm publishes: it has an enabled {@code replica-publisher} component. */
final class Publishing {

    static final String PROVIDER_TYPE = "org.keycloak.services.ui.extend.UiPageProvider";
    static final String PROVIDER_ID = "replica-publisher";

    private Publishing() {
    }

    static boolean enabledIn(RealmModel realm) {
        return realm.getComponentsStream(realm.getId(), PROVIDER_TYPE)
                .anyMatch(c -> PROVIDER_ID.equals(c.getProviderId()) && !"false".equals(c.get("enabled")));
    }
}
