package io.github.keycloakreplica.storage;

import org.junit.jupiter.api.Test;
import org.keycloak.models.UserModel;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReplicaUserViewTest {

    /** A user that records writes, standing in for Keycloak's JPA adapter. */
    private static final class StoredUser {
        final Map<String, List<String>> attributes = new HashMap<>();
        final List<String> writes = new ArrayList<>();
        boolean enabled = true;

        UserModel model() {
            return (UserModel) Proxy.newProxyInstance(UserModel.class.getClassLoader(), new Class<?>[]{UserModel.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getUsername" -> "alice";
                        case "getId" -> "u1";
                        case "isEnabled" -> enabled;
                        case "isEmailVerified" -> true;
                        case "getEmail" -> "alice@example.com";
                        case "getFirstName" -> "Alice";
                        case "getLastName" -> null;
                        case "getFederationLink" -> "component-1";
                        case "getCreatedTimestamp" -> 1000L;
                        case "getAttributeStream" -> attributes.getOrDefault((String) args[0], List.of()).stream();
                        case "getRequiredActionsStream", "getGroupsStream", "getRoleMappingsStream" -> Stream.empty();
                        case "isMemberOf" -> false;
                        case "setAttribute" -> {
                            writes.add("setAttribute " + args[0]);
                            attributes.put((String) args[0], (List<String>) args[1]);
                            yield null;
                        }
                        case "removeAttribute" -> {
                            writes.add("removeAttribute " + args[0]);
                            yield null;
                        }
                        default -> {
                            writes.add(method.getName());
                            yield null;
                        }
                    });
        }
    }

    private final StoredUser stored = new StoredUser();
    private final UserModel view = new ReplicaUserView(stored.model(), "the HQ Keycloak", null, null);

    @Test
    void everyRealChangeIsRefusedNamingTheUpstream() {
        assertThatThrownBy(() -> view.setEnabled(false))
                .isInstanceOf(ReplicaReadOnlyException.class)
                .satisfies(e -> assertThat(((ReplicaReadOnlyException) e).getErrorDescription())
                        .contains("alice").contains("the HQ Keycloak").contains("read-only"));
        assertThatThrownBy(() -> view.setEmail("mallory@example.com")).isInstanceOf(ReplicaReadOnlyException.class);
        assertThatThrownBy(() -> view.setFirstName("Mallory")).isInstanceOf(ReplicaReadOnlyException.class);
        assertThatThrownBy(() -> view.setLastName("X")).isInstanceOf(ReplicaReadOnlyException.class);
        assertThatThrownBy(() -> view.setUsername("mallory")).isInstanceOf(ReplicaReadOnlyException.class);
        assertThatThrownBy(() -> view.setAttribute("department", List.of("sales"))).isInstanceOf(ReplicaReadOnlyException.class);
        assertThatThrownBy(() -> view.addRequiredAction("UPDATE_PASSWORD")).isInstanceOf(ReplicaReadOnlyException.class);
        assertThatThrownBy(() -> view.setFederationLink(null)).isInstanceOf(ReplicaReadOnlyException.class);
        assertThat(stored.writes).isEmpty();
    }

    @Test
    void rewritingTheSameValuesIsNotAnEdit() {
        stored.attributes.put("department", List.of("engineering"));

        assertThatNoException().isThrownBy(() -> {
            view.setEnabled(true);
            view.setEmailVerified(true);
            view.setEmail("ALICE@example.com");
            view.setFirstName("Alice");
            view.setLastName("");
            view.setUsername("Alice");
            view.setAttribute("department", List.of("engineering"));
            view.removeRequiredAction("UPDATE_PASSWORD");
            view.removeAttribute("never-set");
            view.setFederationLink("component-1");
        });
        assertThat(stored.writes).isEmpty();
    }

    @Test
    void theLanguageChoiceStaysThePersonsOwn() {
        view.setAttribute(UserModel.LOCALE, List.of("de"));
        view.removeAttribute(UserModel.LOCALE);

        assertThat(stored.writes).containsExactly("setAttribute locale", "removeAttribute locale");
    }
}
