package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.apply.ApplySession;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.credential.CredentialChangeRefusedException;
import io.github.keycloakreplica.credential.CredentialGate;
import io.github.keycloakreplica.credential.CredentialRefusal;
import io.github.keycloakreplica.credential.UpstreamCredentialWriter;
import io.github.keycloakreplica.credential.UpstreamWrites;
import io.github.keycloakreplica.store.SubjectRows;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.credential.CredentialInput;
import org.keycloak.credential.CredentialInputUpdater;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.PasswordCredentialModel;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The replica's user storage, in import mode: users live in Keycloak's own tables (written only by the
 * apply engine from the streams) and this provider decides how the rest of Keycloak sees them.
 * Nothing on the sign-in path calls Kafka or any other remote system, so sign-in never waits on the
 * upstream; only a credential change the gate lets through calls the authority's write path.
 */
public final class ReplicaUserStorageProvider
        implements UserStorageProvider, ImportedUserValidation, UserRegistrationProvider, UserProfileDecorator, CredentialInputUpdater {

    private static final Logger log = Logger.getLogger(ReplicaUserStorageProvider.class);
    /** The user profile annotation Keycloak's consoles and sign-in pages show as a field's help text. */
    static final String HELP_TEXT_ANNOTATION = "inputHelperTextBefore";
    /** Session attribute: which users of which component the apply engine created (looked up once per request). */
    private static final String REPLICATED_USERS = ReplicaUserStorageProvider.class.getName() + ".replicated";

    private final KeycloakSession session;
    private final String componentId;
    private final String upstream;
    private final CredentialGate gate;
    private final UpstreamWrites writes;
    private final UpstreamCredentialWriter writer;

    /** @param writer the write path of this component for this session, or null when it has none */
    ReplicaUserStorageProvider(KeycloakSession session, ComponentModel model, ReplicaConfig config,
                               Function<CredentialGate, UpstreamCredentialWriter> writer) {
        this.session = session;
        this.componentId = model.getId();
        this.upstream = config.upstreamName();
        this.gate = new CredentialGate(session, componentId, upstream, config.writePath() != null);
        this.writer = writer == null ? null : writer.apply(gate);
        this.writes = this.writer != null ? this.writer : new NoWritePath(upstream);
    }

    /** What a component without a write path does with a change the gate let through: only the apply engine gets there. */
    private record NoWritePath(String upstream) implements UpstreamWrites {

        @Override
        public CredentialModel create(UserModel user, CredentialModel draft,
                                                              Function<String, CredentialModel> stored) {
            throw refusal(user);
        }

        @Override
        public void remove(UserModel user, String credentialId) {
            throw refusal(user);
        }

        @Override
        public void relabel(UserModel user, String credentialId, String label) {
            throw refusal(user);
        }

        private CredentialChangeRefusedException refusal(UserModel user) {
            return new CredentialChangeRefusedException(CredentialRefusal.managedUpstream(user.getUsername(), upstream));
        }
    }

    /**
     * Called on most user look-ups; stays local: one indexed read of the replica's own table per user and
     * request. A user that claims to come from this component but was never created by the apply engine
     * (the admin REST API accepts a {@code federationLink} on user creation, with credentials that no
     * hook sees) is not a replicated user: it is invalid, and Keycloak removes it, as it removes an
     * LDAP-imported user whose entry is gone.
     */
    @Override
    public UserModel validate(RealmModel realm, UserModel local) {
        if (!replicated(local.getId())) {
            log.warnf("replica: user %s of realm %s is linked to replica component %s, which never replicated it; "
                    + "it is removed as invalid", local.getUsername(), realm.getName(), componentId);
            return null;
        }
        return new ReplicaUserView(local, upstream, gate, writes);
    }

    private boolean replicated(String userId) {
        @SuppressWarnings("unchecked")
        Map<String, Boolean> known = (Map<String, Boolean>) session.getAttribute(REPLICATED_USERS);
        if (known == null) {
            known = new HashMap<>();
            session.setAttribute(REPLICATED_USERS, known);
        }
        return known.computeIfAbsent(componentId + "/" + userId,
                key -> SubjectRows.of(session).replicatedUser(componentId, userId));
    }

    /** Every credential type: a replicated person's credentials come from the upstream only. */
    @Override
    public boolean supportsCredentialType(String credentialType) {
        return true;
    }

    /**
     * Keycloak asks a federated user's provider first when a credential is set (a new password through
     * admin REST, the update-password page, a user update carrying credentials; also a new OTP or recovery
     * codes), as LDAP's password change does. Asks the gate; when the change may go ahead, the authority's
     * write path makes a new password and this returns true, so Keycloak stores nothing of its own. For any
     * other type it returns false: Keycloak then creates the credential through its own provider, which
     * stores it through the person's credential manager, and that carries it to the write path (no
     * built-in provider but the password one updates credentials itself).
     */
    @Override
    public boolean updateCredential(RealmModel realm, UserModel user, CredentialInput input) {
        gate.enforce(user, "update", input.getType());
        if (!PasswordCredentialModel.TYPE.equals(input.getType())) {
            return false;
        }
        if (!(input instanceof UserCredentialModel typed) || typed.getChallengeResponse() == null || writer == null) {
            CredentialRefusal refusal = CredentialRefusal.managedUpstream(user.getUsername(), upstream);
            gate.record(user, "update", input.getType(), refusal);
            throw new CredentialChangeRefusedException(refusal);
        }
        writer.setPassword(realm, user, typed.getChallengeResponse());
        return true;
    }

    @Override
    public void disableCredentialType(RealmModel realm, UserModel user, String credentialType) {
        gate.enforce(user, "disable", credentialType);
        user.credentialManager().getStoredCredentialsByTypeStream(credentialType).map(CredentialModel::getId).toList()
                .forEach(id -> writes.remove(user, id));
    }

    /** Nothing to offer: the admin console's "disable credential types" has no business with replicated users. */
    @Override
    public Stream<String> getDisableableCredentialTypesStream(RealmModel realm, UserModel user) {
        return Stream.empty();
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
        makeReadOnly(metadata, upstream);
        return List.of();
    }

    /**
     * Keycloak hands each user's profile its own copy of the metadata, so what is set here holds for this
     * user only. Each field also gets the reason as its help text (the annotation the admin and account
     * consoles show behind the field's help icon, and the sign-in pages above it): a greyed-out field
     * alone does not say where it can be changed. That replaces a help text the realm's user profile
     * gives the field, which tells how to fill it in, and a replicated user cannot.
     */
    static void makeReadOnly(UserProfileMetadata metadata, String upstream) {
        ValidatorConfig config = ValidatorConfig.builder().config(ReplicaReadOnlyAttributeValidator.UPSTREAM, upstream).build();
        Map<String, Object> why = Map.of(HELP_TEXT_ANNOTATION, ReadOnlyMessages.fieldHelp(upstream));
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
            attribute.addAnnotations(why);
        }
    }

    @Override
    public void close() {
    }
}
