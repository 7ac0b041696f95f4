package io.github.keycloakreplica.replica;

import io.github.keycloakreplica.sync.ApplySession;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.storage.UserStorageProvider;
import org.keycloak.storage.user.ImportedUserValidation;
import org.keycloak.storage.user.UserRegistrationProvider;
import org.keycloak.userprofile.AttributeMetadata;
import org.keycloak.userprofile.AttributeValidatorMetadata;
import org.keycloak.userprofile.DefaultAttributes;
import org.keycloak.userprofile.UserProfileDecorator;
import org.keycloak.userprofile.UserProfileMetadata;
import org.keycloak.userprofile.validator.ImmutableAttributeValidator;
import org.keycloak.validate.ValidatorConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * The replica's user storage, in import mode: users live in Keycloak's own tables (written only by the
 * apply engine from the streams) and this provider decides how the rest of Keycloak sees them.
 * Nothing here calls Kafka or any other remote system, so sign-in never waits on the upstream.
 */
public final class ReplicaUserStorageProvider
        implements UserStorageProvider, ImportedUserValidation, UserRegistrationProvider, UserProfileDecorator {

    private final KeycloakSession session;
    private final String upstream;

    ReplicaUserStorageProvider(KeycloakSession session, ComponentModel model) {
        this.session = session;
        this.upstream = ReplicaConfig.of(model).upstreamName();
    }

    /** Called on most user look-ups; stays local and cheap. */
    @Override
    public UserModel validate(RealmModel realm, UserModel local) {
        return new ReplicaUserView(local, upstream);
    }

    /** New users created at this site are local users: returning null lets Keycloak store them itself. */
    @Override
    public UserModel addUser(RealmModel realm, String username) {
        return null;
    }

    /**
     * Keycloak deletes the local row right after asking; throwing is the only way to refuse. The apply
     * engine deletes through Keycloak's user manager and marks its session, so only it gets through.
     */
    @Override
    public boolean removeUser(RealmModel realm, UserModel user) {
        if (ApplySession.isApplying(session)) {
            return true;
        }
        throw new ReplicaReadOnlyException(ReadOnlyMessages.user(user.getUsername(), upstream));
    }

    /**
     * Every attribute of a replicated user is read-only, as LDAP's read-only mode makes them, so the
     * admin and account consoles show them that way; the locale stays the person's own choice.
     */
    @Override
    public List<AttributeMetadata> decorateUserProfile(String providerId, UserProfileMetadata metadata) {
        ValidatorConfig config = ValidatorConfig.builder().config(ReplicaReadOnlyAttributeValidator.UPSTREAM, upstream).build();
        for (AttributeMetadata attribute : metadata.getAttributes()) {
            String name = attribute.getName();
            if (UserModel.LOCALE.equals(name) || DefaultAttributes.READ_ONLY_ATTRIBUTE_KEY.equals(name)) {
                continue;
            }
            attribute.addWriteCondition(AttributeMetadata.ALWAYS_FALSE);
            List<AttributeValidatorMetadata> validators = new ArrayList<>(attribute.getValidators());
            validators.removeIf(v -> ImmutableAttributeValidator.ID.equals(v.getValidatorId()));
            validators.add(new AttributeValidatorMetadata(ReplicaReadOnlyAttributeValidator.ID, config));
            attribute.setValidators(validators);
        }
        return List.of();
    }

    @Override
    public void close() {
    }
}
