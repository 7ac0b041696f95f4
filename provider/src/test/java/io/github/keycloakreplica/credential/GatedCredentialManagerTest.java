package io.github.keycloakreplica.credential;

import org.junit.jupiter.api.Test;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.SubjectCredentialManager;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatedCredentialManagerTest {

    private final List<String> reachedStore = new ArrayList<>();
    private final List<String> asked = new ArrayList<>();
    private final CredentialModel otp = credential("otp-1", "otp");

    private static CredentialModel credential(String id, String type) {
        CredentialModel model = new CredentialModel();
        model.setId(id);
        model.setType(type);
        return model;
    }

    private final SubjectCredentialManager store = (SubjectCredentialManager) Proxy.newProxyInstance(
            SubjectCredentialManager.class.getClassLoader(), new Class<?>[]{SubjectCredentialManager.class},
            (proxy, method, args) -> {
                reachedStore.add(method.getName());
                return switch (method.getName()) {
                    case "getStoredCredentialById" -> otp;
                    case "getStoredCredentialsStream", "getStoredCredentialsByTypeStream" -> Stream.of(otp);
                    case "isValid", "updateCredential", "removeStoredCredentialById", "moveStoredCredentialTo", "isConfiguredFor" -> true;
                    default -> null;
                };
            });

    private final UserModel alice = (UserModel) Proxy.newProxyInstance(UserModel.class.getClassLoader(), new Class<?>[]{UserModel.class},
            (proxy, method, args) -> "getUsername".equals(method.getName()) ? "alice" : null);

    private final List<String> sentUpstream = new ArrayList<>();

    private final UpstreamWrites upstream = new UpstreamWrites() {
        @Override
        public CredentialModel create(UserModel user, CredentialModel draft, Function<String, CredentialModel> stored) {
            sentUpstream.add("create " + draft.getType());
            return stored.apply("otp-1");
        }

        @Override
        public void remove(UserModel user, String credentialId) {
            sentUpstream.add("remove " + credentialId);
        }

        @Override
        public void relabel(UserModel user, String credentialId, String label) {
            sentUpstream.add("relabel " + credentialId + " " + label);
        }
    };

    private GatedCredentialManager manager(boolean refuse) {
        return new GatedCredentialManager(store, alice, (user, operation, type) -> {
            asked.add(operation + " " + type);
            if (refuse) {
                throw new CredentialChangeRefusedException(CredentialRefusal.of(null, false, user.getUsername(), "the HQ Keycloak").orElseThrow());
            }
        }, upstream, () -> {
            throw new CredentialChangeRefusedException(CredentialRefusal.orderUpstream("alice", "the HQ Keycloak"));
        });
    }

    @Test
    void everyChangeOfWhatCredentialsThePersonHasIsRefusedBeforeItReachesTheStore() {
        GatedCredentialManager refusing = manager(true);

        assertThatThrownBy(() -> refusing.updateCredential(UserCredentialModel.password("n3w-Secret")))
                .isInstanceOfSatisfying(CredentialChangeRefusedException.class, e -> assertThat(e.refusal().text())
                        .contains("cannot be changed at this site right now"));
        assertThatThrownBy(() -> refusing.createStoredCredential(credential(null, "otp"))).isInstanceOf(CredentialChangeRefusedException.class);
        assertThatThrownBy(() -> refusing.createCredentialThroughProvider(credential(null, "password"))).isInstanceOf(CredentialChangeRefusedException.class);
        assertThatThrownBy(() -> refusing.removeStoredCredentialById("otp-1")).isInstanceOf(CredentialChangeRefusedException.class);
        assertThatThrownBy(() -> refusing.moveStoredCredentialTo("otp-1", null)).isInstanceOf(CredentialChangeRefusedException.class);
        assertThatThrownBy(() -> refusing.updateCredentialLabel("otp-1", "phone")).isInstanceOf(CredentialChangeRefusedException.class);
        assertThatThrownBy(() -> refusing.disableCredentialType("otp")).isInstanceOf(CredentialChangeRefusedException.class);

        assertThat(asked).containsExactly("update password", "create otp", "create password", "remove otp", "move otp", "relabel otp",
                "disable otp");
        // Only the look-ups that name a refused removal, move or relabel reached the store.
        assertThat(reachedStore).containsOnly("getStoredCredentialById");
    }

    @Test
    void signingInAndReadingGoThroughWhateverTheLink() {
        GatedCredentialManager refusing = manager(true);

        assertThat(refusing.isValid(List.of(UserCredentialModel.password("secret")))).isTrue();
        refusing.updateStoredCredential(otp);
        assertThat(refusing.getStoredCredentialsStream()).containsExactly(otp);
        assertThat(refusing.isConfiguredFor("otp")).isTrue();

        assertThat(reachedStore).containsExactly("isValid", "updateStoredCredential", "getStoredCredentialsStream", "isConfiguredFor");
        assertThat(asked).isEmpty();
    }

    @Test
    void anAllowedPasswordGoesTheWayKeycloakSendsIt() {
        // Keycloak's manager asks the provider's CredentialInputUpdater first, which carries it to the write path.
        assertThat(manager(false).updateCredential(UserCredentialModel.password("n3w-Secret"))).isTrue();

        assertThat(asked).containsExactly("update password");
        assertThat(reachedStore).containsExactly("updateCredential");
    }

    @Test
    void everyOtherAllowedChangeGoesUpstreamAndNeverStraightToTheStore() {
        GatedCredentialManager allowing = manager(false);

        assertThat(allowing.createStoredCredential(credential(null, "otp"))).isSameAs(otp);
        assertThat(allowing.createCredentialThroughProvider(credential(null, "otp"))).isSameAs(otp);
        assertThat(allowing.removeStoredCredentialById("otp-1")).isTrue();
        allowing.updateCredentialLabel("otp-1", "phone");
        allowing.disableCredentialType("otp");

        assertThat(sentUpstream).containsExactly("create otp", "create otp", "remove otp-1", "relabel otp-1 phone", "remove otp-1");
        // Reads only: the type of what is removed or relabelled, the credential created, the credentials of a disabled type.
        assertThat(reachedStore).containsOnly("getStoredCredentialById", "getStoredCredentialsByTypeStream");
    }

    @Test
    void aMoveIsRefusedEvenWhenConnected() {
        GatedCredentialManager allowing = manager(false);

        assertThatThrownBy(() -> allowing.moveStoredCredentialTo("otp-1", null))
                .isInstanceOfSatisfying(CredentialChangeRefusedException.class, e -> {
                    assertThat(e.refusal().error()).isEqualTo(CredentialRefusal.ORDER_UPSTREAM);
                    assertThat(e.getResponse().getStatus()).isEqualTo(409);
                });
        assertThat(sentUpstream).isEmpty();
        assertThat(reachedStore).containsOnly("getStoredCredentialById");
    }
}
