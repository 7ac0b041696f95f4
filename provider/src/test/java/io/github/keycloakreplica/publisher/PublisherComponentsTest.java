package io.github.keycloakreplica.publisher;

import org.junit.jupiter.api.Test;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.RealmModel;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class PublisherComponentsTest {

    private final List<String> asked = new ArrayList<>();

    @Test
    void theComponentTypeIsTheAdminConsolesPageType() {
        assertThat(PublisherComponents.PROVIDER_TYPE).isEqualTo("org.keycloak.services.ui.extend.UiPageProvider");
        assertThat(PublisherComponents.PROVIDER_ID).isEqualTo("replica-publisher");
    }

    @Test
    void theEnabledPublisherIsFoundAmongTheRealmsPagesByParentAndType() {
        ComponentModel off = component("off", PublisherComponents.PROVIDER_ID, "false");
        ComponentModel on = component("on", PublisherComponents.PROVIDER_ID, null);
        ComponentModel otherPage = component("other", "some-other-page", null);

        RealmModel realm = realm(otherPage, off, on);

        assertThat(PublisherComponents.enabledIn(realm)).contains(on);
        assertThat(PublisherComponents.all(realm)).containsExactly(off, on);
        assertThat(asked).containsOnly("getComponentsStream realm-id " + PublisherComponents.PROVIDER_TYPE);
    }

    @Test
    void aRealmWithoutAnEnabledPublisherHasNone() {
        assertThat(PublisherComponents.enabledIn(realm(component("off", PublisherComponents.PROVIDER_ID, "false")))).isEmpty();
        assertThat(PublisherComponents.enabledIn(realm())).isEmpty();
        assertThat(PublisherComponents.enabledIn(null)).isEmpty();
    }

    @Test
    void aComponentOfAnotherTypeWithTheSameIdIsNotAPublisher() {
        ComponentModel elsewhere = component("x", PublisherComponents.PROVIDER_ID, null);
        elsewhere.setProviderType("org.keycloak.storage.UserStorageProvider");

        assertThat(PublisherComponents.isPublisher(elsewhere)).isFalse();
        assertThat(PublisherComponents.isPublisher(null)).isFalse();
    }

    private static ComponentModel component(String name, String providerId, String enabled) {
        ComponentModel model = new ComponentModel();
        model.setId(name + "-id");
        model.setName(name);
        model.setParentId("realm-id");
        model.setProviderId(providerId);
        model.setProviderType(PublisherComponents.PROVIDER_TYPE);
        if (enabled != null) {
            model.put(PublisherConfig.ENABLED, enabled);
        }
        return model;
    }

    private RealmModel realm(ComponentModel... components) {
        return (RealmModel) Proxy.newProxyInstance(RealmModel.class.getClassLoader(), new Class<?>[]{RealmModel.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getId" -> "realm-id";
                    case "getComponentsStream" -> {
                        asked.add("getComponentsStream " + args[0] + " " + args[1]);
                        yield Stream.of(components).filter(c -> c.getParentId().equals(args[0]) && c.getProviderType().equals(args[1]));
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
