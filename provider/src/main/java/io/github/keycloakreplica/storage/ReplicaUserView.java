package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.credential.CredentialChangeRefusedException;
import io.github.keycloakreplica.credential.CredentialGate;
import io.github.keycloakreplica.credential.CredentialRefusal;
import io.github.keycloakreplica.credential.GatedCredentialManager;
import io.github.keycloakreplica.credential.UpstreamCredentialWriter;
import io.github.keycloakreplica.credential.UpstreamWrites;
import org.keycloak.models.GroupModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.MembershipMetadata;
import org.keycloak.models.RoleModel;
import org.keycloak.models.SubjectCredentialManager;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.UserModelDelegate;
import org.keycloak.utils.KeycloakSessionUtil;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * How Keycloak sees a replicated user everywhere outside the apply engine: readable as usual, and
 * refusing every change of identity with a message that names the upstream.
 *
 * <p>Unlike Keycloak's {@code ReadOnlyUserModelDelegate} it refuses only writes that would change
 * something: the admin console saves a user by writing every field back (enabled, emailVerified, each
 * required action), and an unchanged save is not an edit. The person's own language choice (the
 * {@code locale} attribute) is local and stays writable.
 */
public final class ReplicaUserView extends UserModelDelegate {

    private final String upstream;
    private final CredentialGate gate;
    private final UpstreamWrites writes;

    /**
     * @param gate   asked before every credential change; null only where no credential is ever touched
     * @param writes where the changes the gate lets through go
     */
    ReplicaUserView(UserModel delegate, String upstream, CredentialGate gate, UpstreamWrites writes) {
        super(delegate);
        this.upstream = upstream;
        this.gate = gate;
        this.writes = writes;
    }

    /**
     * The person's credentials, read as usual; a change asks the credential gate first. Keycloak hands out
     * this manager only while the component's cache policy is NO_CACHE (which the factory keeps): with a
     * cached user, Keycloak's cache would write to the local store without asking anyone.
     */
    @Override
    public SubjectCredentialManager credentialManager() {
        SubjectCredentialManager stored = super.credentialManager();
        if (gate == null) {
            throw new IllegalStateException("a replicated user's credentials were reached without a credential gate");
        }
        return new GatedCredentialManager(stored, this, gate, writes, () -> {
            CredentialRefusal refusal = CredentialRefusal.orderUpstream(getUsername(), upstream);
            gate.record(this, "move", null, refusal);
            throw new CredentialChangeRefusedException(refusal);
        });
    }

    private ReplicaReadOnlyException refused() {
        return new ReplicaReadOnlyException(ReadOnlyMessages.user(getUsername(), upstream));
    }

    private void refuseIf(boolean changes) {
        if (changes) {
            throw refused();
        }
    }

    @Override
    public void setUsername(String username) {
        refuseIf(username == null || !username.equalsIgnoreCase(getUsername()));
    }

    @Override
    public void setCreatedTimestamp(Long timestamp) {
        refuseIf(!Objects.equals(timestamp, getCreatedTimestamp()));
    }

    @Override
    public void setEnabled(boolean enabled) {
        refuseIf(enabled != isEnabled());
    }

    @Override
    public void setSingleAttribute(String name, String value) {
        setAttribute(name, value == null ? List.of() : List.of(value));
    }

    @Override
    public void setAttribute(String name, List<String> values) {
        if (UserModel.LOCALE.equals(name)) {
            super.setAttribute(name, values);
            return;
        }
        List<String> current = getAttributeStream(name).collect(Collectors.toList());
        refuseIf(!current.equals(values == null ? List.of() : values));
    }

    @Override
    public void removeAttribute(String name) {
        if (UserModel.LOCALE.equals(name)) {
            super.removeAttribute(name);
            return;
        }
        refuseIf(getAttributeStream(name).findAny().isPresent());
    }

    @Override
    public void addRequiredAction(String action) {
        if (getRequiredActionsStream().anyMatch(action::equals)) {
            return;
        }
        KeycloakSession session = KeycloakSessionUtil.getKeycloakSession();
        if (RequiredAction.UPDATE_PASSWORD.name().equals(action) && session != null
                && session.getAttribute(UpstreamCredentialWriter.CONFIRMED_PASSWORD + "." + getId()) != null) {
            // The admin console's reset-password dialog asks for a temporary password by default.
            throw new ReplicaReadOnlyException("The new password of " + getUsername() + " was confirmed by " + upstream
                    + " but is not set here: a temporary password (to be changed at the next sign-in) cannot be set at this site, "
                    + "because required actions are managed at " + upstream + ". The new password arrives through the credential "
                    + "stream within moments. Set passwords here with Temporary off.");
        }
        throw refused();
    }

    @Override
    public void removeRequiredAction(String action) {
        refuseIf(getRequiredActionsStream().anyMatch(action::equals));
    }

    @Override
    public void addRequiredAction(RequiredAction action) {
        addRequiredAction(action.name());
    }

    @Override
    public void removeRequiredAction(RequiredAction action) {
        removeRequiredAction(action.name());
    }

    @Override
    public void setFirstName(String firstName) {
        refuseIf(!Objects.equals(emptyToNull(firstName), emptyToNull(getFirstName())));
    }

    @Override
    public void setLastName(String lastName) {
        refuseIf(!Objects.equals(emptyToNull(lastName), emptyToNull(getLastName())));
    }

    @Override
    public void setEmail(String email) {
        String current = emptyToNull(getEmail());
        String wanted = emptyToNull(email);
        refuseIf(wanted == null ? current != null : !wanted.equalsIgnoreCase(current));
    }

    @Override
    public void setEmailVerified(boolean verified) {
        refuseIf(verified != isEmailVerified());
    }

    @Override
    public void joinGroup(GroupModel group) {
        refuseIf(!isMemberOf(group));
    }

    @Override
    public void joinGroup(GroupModel group, MembershipMetadata metadata) {
        joinGroup(group);
    }

    @Override
    public void leaveGroup(GroupModel group) {
        refuseIf(getGroupsStream().anyMatch(g -> g.getId().equals(group.getId())));
    }

    @Override
    public void grantRole(RoleModel role) {
        refuseIf(getRoleMappingsStream().noneMatch(r -> r.getId().equals(role.getId())));
    }

    @Override
    public void deleteRoleMapping(RoleModel role) {
        refuseIf(getRoleMappingsStream().anyMatch(r -> r.getId().equals(role.getId())));
    }

    @Override
    public void setFederationLink(String link) {
        refuseIf(!Objects.equals(link, getFederationLink()));
    }

    @Override
    public void setServiceAccountClientLink(String clientInternalId) {
        refuseIf(!Objects.equals(clientInternalId, getServiceAccountClientLink()));
    }

    private static String emptyToNull(String value) {
        return value == null || value.isEmpty() ? null : value;
    }
}
