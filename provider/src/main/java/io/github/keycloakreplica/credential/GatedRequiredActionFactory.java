package io.github.keycloakreplica.credential;

import jakarta.ws.rs.core.Response;
import org.keycloak.Config;
import org.keycloak.authentication.CredentialAction;
import org.keycloak.authentication.CredentialRegistrator;
import org.keycloak.authentication.InitiatedActionSupport;
import org.keycloak.authentication.RequiredActionContext;
import org.keycloak.authentication.RequiredActionFactory;
import org.keycloak.authentication.RequiredActionProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RequiredActionConfigModel;
import org.keycloak.provider.EnvironmentDependentProviderFactory;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.sessions.AuthenticationSessionModel;

import java.util.List;
import java.util.Optional;

/**
 * A Keycloak required action that changes credentials (update password, configure OTP, register a
 * security key or passkey, recovery codes, delete a credential), registered under the built-in's own id
 * with a higher order, which makes Keycloak use it in the built-in's place. For a replicated person it
 * asks the {@link CredentialGate} before showing the page and again before acting on it; when the gate
 * refuses, the person gets a page with the reason in words (from the {@code replica} login theme)
 * instead of a form that would fail, a raw error or Keycloak's generic error page. Everyone else gets
 * the built-in, untouched.
 */
public abstract class GatedRequiredActionFactory implements RequiredActionFactory, EnvironmentDependentProviderFactory {

    /** Above the built-ins' 0: Keycloak keeps the factory with the highest order among those with one id. */
    public static final int ORDER = 100;

    private final RequiredActionFactory builtIn;

    GatedRequiredActionFactory(RequiredActionFactory builtIn) {
        this.builtIn = builtIn;
    }

    @Override
    public String getId() {
        return builtIn.getId();
    }

    @Override
    public int order() {
        return ORDER;
    }

    @Override
    public String getDisplayText() {
        return builtIn.getDisplayText();
    }

    @Override
    public boolean isOneTimeAction() {
        return builtIn.isOneTimeAction();
    }

    @Override
    public boolean isConfigurable() {
        return builtIn.isConfigurable();
    }

    @Override
    public List<ProviderConfigProperty> getConfigMetadata() {
        return builtIn.getConfigMetadata();
    }

    @Override
    public void validateConfig(KeycloakSession session, RealmModel realm, RequiredActionConfigModel model) {
        builtIn.validateConfig(session, realm, model);
    }

    @Override
    public boolean isSupported(Config.Scope config) {
        return !(builtIn instanceof EnvironmentDependentProviderFactory dependent) || dependent.isSupported(config);
    }

    @Override
    public void init(Config.Scope config) {
        builtIn.init(config);
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        builtIn.postInit(factory);
    }

    @Override
    public void close() {
        builtIn.close();
    }

    @Override
    public RequiredActionProvider create(KeycloakSession session) {
        RequiredActionProvider provider = builtIn.create(session);
        // Keycloak finds the actions that register credentials by these interfaces (account console, ACR levels).
        if (provider instanceof CredentialRegistrator) {
            return new Registrator(provider, getId());
        }
        if (provider instanceof CredentialAction) {
            return new Action(provider, getId());
        }
        return new Gated(provider, getId());
    }

    /** The built-in provider behind the gate. */
    static class Gated implements RequiredActionProvider {

        final RequiredActionProvider builtIn;
        private final String id;

        Gated(RequiredActionProvider builtIn, String id) {
            this.builtIn = builtIn;
            this.id = id;
        }

        @Override
        public InitiatedActionSupport initiatedActionSupport() {
            return builtIn.initiatedActionSupport();
        }

        @Override
        public void initiatedActionCanceled(KeycloakSession session, AuthenticationSessionModel authSession) {
            builtIn.initiatedActionCanceled(session, authSession);
        }

        @Override
        public void evaluateTriggers(RequiredActionContext context) {
            builtIn.evaluateTriggers(context);
        }

        @Override
        public void requiredActionChallenge(RequiredActionContext context) {
            if (!refused(context)) {
                builtIn.requiredActionChallenge(context);
            }
        }

        @Override
        public void processAction(RequiredActionContext context) {
            if (!refused(context)) {
                try {
                    builtIn.processAction(context);
                } catch (CredentialChangeRefusedException e) {
                    // The write path said no or gave no answer (already recorded): the reason, not a raw error.
                    context.challenge(CredentialGate.refusalPage(context.form(), e.refusal()));
                }
            }
        }

        @Override
        public int getMaxAuthAge(KeycloakSession session) {
            return builtIn.getMaxAuthAge(session);
        }

        @Override
        public void close() {
            builtIn.close();
        }

        /** Shows the refusal and records it when the gate says no; false when the built-in may go ahead. */
        private boolean refused(RequiredActionContext context) {
            Optional<Response> page = CredentialGate.refusalPage(context.getSession(), context.getRealm(), context.getUser(),
                    context::form, "required action " + id, null);
            page.ifPresent(context::challenge);
            return page.isPresent();
        }
    }

    static final class Registrator extends Gated implements CredentialRegistrator {

        Registrator(RequiredActionProvider builtIn, String id) {
            super(builtIn, id);
        }

        @Override
        public String getCredentialType(KeycloakSession session, AuthenticationSessionModel authenticationSession) {
            return ((CredentialAction) builtIn).getCredentialType(session, authenticationSession);
        }
    }

    static final class Action extends Gated implements CredentialAction {

        Action(RequiredActionProvider builtIn, String id) {
            super(builtIn, id);
        }

        @Override
        public String getCredentialType(KeycloakSession session, AuthenticationSessionModel authenticationSession) {
            return ((CredentialAction) builtIn).getCredentialType(session, authenticationSession);
        }
    }
}
