package io.github.keycloakreplica.credential;

import io.github.keycloakreplica.apply.ApplySession;
import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.store.LinkRows;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.common.ClientConnection;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * The fail-closed credential gate of one replica component: every credential change of one of its users,
 * on whatever Keycloak path, asks here first. It reads the link record the link watcher keeps in the
 * database (one primary-key read; never Kafka), refuses unless the link is CONNECTED and an authoritative
 * write path is configured (the only way the upstream can confirm a change), and records each refusal as
 * a Keycloak event. What it lets through goes to the write path ({@link UpstreamCredentialWriter}).
 */
public final class CredentialGate implements CredentialChangeCheck {

    private static final Logger log = Logger.getLogger(CredentialGate.class);

    /** The event {@code error} of a refused change. */
    public static final String EVENT_ERROR = "replica_credential_refused";

    private final KeycloakSession session;
    private final String componentId;
    private final String upstream;
    private final boolean writePath;

    /** @param writePath whether the component has an authoritative write path for credential changes */
    public CredentialGate(KeycloakSession session, String componentId, String upstream, boolean writePath) {
        this.session = session;
        this.componentId = componentId;
        this.upstream = upstream;
        this.writePath = writePath;
    }

    /** The gate of the replica component a user comes from, if the user comes from one. */
    public static Optional<CredentialGate> forUser(KeycloakSession session, RealmModel realm, UserModel user) {
        return ReplicaComponents.ofUser(realm, user).map(component -> {
            ReplicaConfig config = ReplicaConfig.of(component);
            return new CredentialGate(session, component.getId(), config.upstreamName(), config.writePath() != null);
        });
    }

    /**
     * For the login flow's steps that change credentials: when the person comes from a replica component
     * and the change would be refused, records the refusal and returns the page that says why (Keycloak's
     * error page with the {@code replica} theme's message); empty when the step may go ahead.
     */
    public static Optional<Response> refusalPage(KeycloakSession session, RealmModel realm, UserModel user, Supplier<LoginFormsProvider> form,
                                                 String operation, String credentialType) {
        Optional<CredentialGate> gate = forUser(session, realm, user);
        Optional<CredentialRefusal> refusal = gate.flatMap(g -> g.refusal(user));
        if (refusal.isEmpty()) {
            return Optional.empty();
        }
        gate.get().record(user, operation, credentialType, refusal.get());
        return Optional.of(refusalPage(form.get(), refusal.get()));
    }

    /** Keycloak's error page with the {@code replica} theme's message of a refusal. */
    public static Response refusalPage(LoginFormsProvider form, CredentialRefusal refusal) {
        return form.setError(refusal.messageKey(), refusal.parameters().toArray())
                .createErrorPage(Response.Status.fromStatusCode(refusal.httpStatus()));
    }

    /** Why a credential change of this user would be refused now, if it would. */
    public Optional<CredentialRefusal> refusal(UserModel user) {
        if (ApplySession.isApplying(session)) {
            return Optional.empty();
        }
        return CredentialRefusal.of(LinkRows.of(session).read(componentId).orElse(null), writePath, user.getUsername(), upstream);
    }

    /**
     * Throws {@link CredentialChangeRefusedException} (and records the refusal) unless the change may go ahead.
     *
     * @param operation what was tried, for the event and the log: "update", "create", "remove", "relabel",
     *                  "required action UPDATE_PASSWORD", ...
     * @param credentialType the credential type when known, else null
     */
    @Override
    public void enforce(UserModel user, String operation, String credentialType) {
        Optional<CredentialRefusal> refusal = refusal(user);
        if (refusal.isPresent()) {
            record(user, operation, credentialType, refusal.get());
            throw new CredentialChangeRefusedException(refusal.get());
        }
    }

    /**
     * Records a refusal as a Keycloak event of the user, in a transaction of its own: the refused request's
     * transaction rolls back, and the event must outlive it.
     */
    public void record(UserModel user, String operation, String credentialType, CredentialRefusal refusal) {
        log.infof("replica: refused a credential change (%s%s) of user %s (%s): %s", operation,
                credentialType == null ? "" : ", type " + credentialType, user.getUsername(), refusal.error(), refusal.text());
        RealmModel realm = session.getContext().getRealm();
        if (realm == null) {
            return;
        }
        String realmId = realm.getId();
        String userId = user.getId();
        ClientConnection connection = session.getContext().getConnection();
        EventType type = operation.startsWith("remove") || operation.endsWith("delete_credential")
                ? EventType.REMOVE_CREDENTIAL_ERROR : EventType.UPDATE_CREDENTIAL_ERROR;
        try {
            KeycloakModelUtils.runJobInTransaction(session.getKeycloakSessionFactory(), s -> {
                RealmModel r = s.realms().getRealm(realmId);
                s.getContext().setRealm(r);
                EventBuilder event = new EventBuilder(r, s, connection).event(type).user(userId)
                        .detail("operation", operation)
                        .detail("reason", refusal.error());
                if (credentialType != null) {
                    event.detail("credential_type", credentialType);
                }
                event.error(EVENT_ERROR);
            });
        } catch (RuntimeException e) {
            log.warnf("replica: could not record the refusal event for user %s (%s)", user.getUsername(), e.toString());
        }
    }
}
