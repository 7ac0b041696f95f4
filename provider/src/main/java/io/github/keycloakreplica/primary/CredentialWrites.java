package io.github.keycloakreplica.primary;

import io.github.keycloakreplica.apply.CredentialFormat;
import io.github.keycloakreplica.apply.EventRejectedException;
import io.github.keycloakreplica.protocol.PublishedLedger;
import io.github.keycloakreplica.publisher.Materializer;
import io.github.keycloakreplica.publisher.PersonReader;
import io.github.keycloakreplica.store.PublisherRows;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.StreamEvent;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserCredentialModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.credential.OTPCredentialModel;
import org.keycloak.models.credential.PasswordCredentialModel;
import org.keycloak.models.credential.RecoveryAuthnCodesCredentialModel;
import org.keycloak.models.credential.WebAuthnCredentialModel;
import org.keycloak.policy.PasswordPolicyManagerProvider;
import org.keycloak.policy.PolicyError;
import org.keycloak.theme.Theme;

import java.io.IOException;
import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * Carries out a site's credential change at the primary, in the caller's transaction, the way Keycloak itself would:
 * a new password through the realm's password policy and hashing ({@code updateCredential}), anything else in
 * Keycloak's stored format after the checks a replica makes of a streamed credential, and through the type's own
 * credential provider. Every refusal is decided before anything is written. What was changed is then versioned at
 * once, in the same transaction ({@link Materializer#version}), so the answer names exactly the credential events
 * the relay publishes later, with the versions every replica will see.
 */
final class CredentialWrites {

    /** What a site may create in stored format; a password is only ever set from the typed password. */
    static final Set<String> CREATABLE = Set.of(OTPCredentialModel.TYPE, WebAuthnCredentialModel.TYPE_TWOFACTOR,
            WebAuthnCredentialModel.TYPE_PASSWORDLESS, RecoveryAuthnCodesCredentialModel.TYPE);

    /** The outcome of a change request: applied with its events, or refused with an HTTP status and the authority's words. */
    sealed interface Outcome permits Applied, Refused {
    }

    record Applied(List<StreamEvent> events) implements Outcome {
    }

    record Refused(int status, String error, String description) implements Outcome {
    }

    private final KeycloakSession session;
    private final RealmModel realm;
    private final String source;
    private final Materializer materializer;
    private final PublisherRows rows;

    CredentialWrites(KeycloakSession session, RealmModel realm, String source, Materializer materializer) {
        this.session = session;
        this.realm = realm;
        this.source = source;
        this.materializer = materializer;
        this.rows = PublisherRows.of(session);
    }

    Outcome carryOut(CredentialChangeRequest request) {
        // Through Keycloak's user cache, not around it: a credential changed around it would leave this node's (and the
        // cluster's) cached person signing in with the old one.
        UserModel user = session.users().getUserById(realm, request.subject());
        if (user == null || user.getServiceAccountClientLink() != null) {
            return new Refused(404, "unknown_subject", "There is no such person at " + realm.getName() + " any more.");
        }
        Outcome refused = switch (request.change()) {
            case SET_PASSWORD -> setPassword(user, request.password());
            case CREATE -> create(user, request.credential());
            case REMOVE, RELABEL -> changeExisting(user, request);
        };
        if (refused != null) {
            return refused;
        }
        Materializer.Versioned versioned = materializer.version(rows, new PersonReader(session), realm, request.subject(), source);
        List<StreamEvent> events = versioned.events().stream()
                .filter(e -> e instanceof CredentialUpsert || e instanceof CredentialRevocation).toList();
        if (versioned.outcome() == Materializer.Outcome.SET_ASIDE) {
            // Applied but not publishable: the change must not stand (the caller rolls it back).
            throw new IllegalStateException("the change was made but the person cannot be published (see the publisher's status)");
        }
        if (events.isEmpty()) {
            return new Refused(409, "no_change", "Nothing changed at " + realm.getName() + ": the sign-in method is already as asked.");
        }
        return new Applied(events);
    }

    private Outcome setPassword(UserModel user, String password) {
        if (user.getFederationLink() != null) {
            return new Refused(400, "not_changeable_here", "The password of " + user.getUsername() + " is kept in a user directory "
                    + "of " + realm.getName() + " and cannot be changed from a site.");
        }
        PolicyError policy = session.getProvider(PasswordPolicyManagerProvider.class).validate(realm, user, password);
        if (policy != null) {
            return new Refused(400, "invalid_password", words(user, policy.getMessage(), policy.getParameters()));
        }
        try {
            user.credentialManager().updateCredential(UserCredentialModel.password(password, false));
        } catch (ModelException e) {
            // Keycloak checks the policy again, password history included, before it writes anything.
            return new Refused(400, "invalid_password", words(user, e.getMessage(), e.getParameters()));
        }
        return null;
    }

    private Outcome create(UserModel user, CredentialChangeRequest.Draft draft) {
        if (!CREATABLE.contains(draft.type())) {
            return new Refused(400, "unsupported_credential_type", "A site may create " + CREATABLE.stream().sorted().toList()
                    + " credentials; a password is set with password.set.");
        }
        CredentialModel model = new CredentialModel();
        model.setType(draft.type());
        model.setUserLabel(draft.userLabel());
        model.setCredentialData(draft.credentialData());
        model.setSecretData(draft.secretData());
        model.setCreatedDate(System.currentTimeMillis());
        try {
            new CredentialFormat(session).check(model);
        } catch (EventRejectedException e) {
            return new Refused(400, "invalid_credential", "The " + draft.type() + " credential was refused at " + realm.getName() + ": "
                    + e.getMessage() + ".");
        }
        if (RecoveryAuthnCodesCredentialModel.TYPE.equals(draft.type())) {
            // A person has one set of recovery codes: a new set replaces the old, as Keycloak's own required action does.
            user.credentialManager().getStoredCredentialsByTypeStream(RecoveryAuthnCodesCredentialModel.TYPE).map(CredentialModel::getId)
                    .toList().forEach(user.credentialManager()::removeStoredCredentialById);
        }
        user.credentialManager().createCredentialThroughProvider(model);
        return null;
    }

    private Outcome changeExisting(UserModel user, CredentialChangeRequest request) {
        CredentialChangeRequest.Draft draft = request.credential();
        CredentialModel current = user.credentialManager().getStoredCredentialById(draft.id());
        if (current == null) {
            return new Refused(404, "unknown_credential", realm.getName() + " has no such sign-in method of this person any more.");
        }
        if (PasswordCredentialModel.TYPE.equals(current.getType()) && request.change() == CredentialChangeRequest.Change.REMOVE) {
            return new Refused(400, "not_changeable_here", "A password is replaced at a site, never removed.");
        }
        // 0 when never published: no site can hold a version of it yet.
        PublishedLedger.Published entry = rows.lockLedger(realm.getId(), request.subject(), System.currentTimeMillis()).ledger()
                .credentials().get(draft.id());
        long published = entry == null ? 0 : entry.version();
        if (!current.getType().equals(draft.type()) || published != draft.version()) {
            return new Refused(409, "conflict", "This sign-in method changed at " + realm.getName() + " since the site saw it (version "
                    + published + " there, " + draft.version() + " here). Reload and try again.");
        }
        if (request.change() == CredentialChangeRequest.Change.REMOVE) {
            user.credentialManager().removeStoredCredentialById(draft.id());
        } else {
            user.credentialManager().updateCredentialLabel(draft.id(), draft.userLabel());
        }
        return null;
    }

    /** Keycloak's message for a refusal, in the person's language as the realm's login theme words it. */
    private String words(UserModel user, String key, Object[] parameters) {
        Locale locale = session.getContext().resolveLocale(user);
        String pattern = key;
        try {
            Properties messages = session.theme().getTheme(Theme.Type.LOGIN).getEnhancedMessages(realm, locale);
            pattern = messages.getProperty(key, key);
        } catch (IOException | RuntimeException e) {
            // The key itself still says what was wrong.
        }
        try {
            return new MessageFormat(pattern, locale).format(parameters == null ? new Object[0] : parameters);
        } catch (IllegalArgumentException e) {
            return pattern;
        }
    }
}
