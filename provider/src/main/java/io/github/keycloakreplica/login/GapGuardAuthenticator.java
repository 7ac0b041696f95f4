package io.github.keycloakreplica.login;

import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.store.EventLogLine;
import io.github.keycloakreplica.store.EventLogRows;
import io.github.keycloakreplica.store.GapRows;
import io.github.keycloakreplica.store.ReplicaSubjectEntity;
import io.github.keycloakreplica.store.SubjectRows;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.authentication.AuthenticationFlowContext;
import org.keycloak.authentication.AuthenticationFlowError;
import org.keycloak.authentication.Authenticator;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.idm.OAuth2ErrorRepresentation;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A step for the realm's login flows, after the person is identified: while an access-critical
 * attribute of a replicated person (enabled, roles, groups by default), or the person's deletion, has a
 * change waiting in the gap buffer, the replica does not know for sure what the person may do. The component's policy decides:
 * sign in on the last known state and note it in the person's event log, or refuse until the gap closes.
 * Local reads only: nothing here waits on Kafka.
 */
public final class GapGuardAuthenticator implements Authenticator {

    private static final Logger log = Logger.getLogger(GapGuardAuthenticator.class);
    static final String MESSAGE = "replicaGapRefused";

    @Override
    public void authenticate(AuthenticationFlowContext context) {
        UserModel user = context.getUser();
        RealmModel realm = context.getRealm();
        ComponentModel component = ReplicaComponents.ofUser(realm, user).orElse(null);
        if (component == null) {
            context.success();
            return;
        }
        ReplicaConfig config = ReplicaConfig.of(component);
        Optional<ReplicaSubjectEntity> subject = SubjectRows.of(context.getSession()).ofUser(component.getId(), user.getId())
                .filter(ReplicaSubjectEntity::isCriticalGap);
        if (subject.isEmpty()) {
            context.success();
            return;
        }
        GapRows gaps = GapRows.of(context.getSession());
        List<String> pending = new ArrayList<>(gaps.attributesWithGaps(subject.get().getId()).stream()
                .filter(config.accessCriticalAttributes()::contains).sorted().toList());
        // A deletion waiting for earlier versions takes every right away, whatever the critical attributes are.
        if (gaps.deletionWaiting(subject.get().getId())) {
            pending.add(0, "a deletion");
        }
        String attributes = String.join(", ", pending);
        String waiting = attributes + (pending.size() == 1 && pending.get(0).startsWith("a ") ? " waits" : " wait");
        if (config.gapSignInPolicy() == ReplicaConfig.GapSignInPolicy.ALLOW) {
            EventLogLine line = EventLogLine.note("sign-in", "ALLOWED",
                    "signed in on the last known state while " + waiting + " for earlier versions").from("login");
            EventLogRows.of(context.getSession()).append(subject.get(), line, System.currentTimeMillis());
            context.success();
            return;
        }
        log.infof("refused sign-in of %s in realm %s: %s for earlier versions from %s", user.getUsername(), realm.getName(),
                waiting, config.upstreamName());
        context.getEvent().detail("reason", "replica gap in " + attributes);
        String text = "Your access rights are being updated from " + config.upstreamName() + ". Please try again in a minute.";
        Response response = isTokenEndpoint(context.getSession())
                ? Response.status(Response.Status.BAD_REQUEST).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new OAuth2ErrorRepresentation("access_denied", text)).build()
                : context.form().setError(MESSAGE, config.upstreamName()).createErrorPage(Response.Status.FORBIDDEN);
        context.failure(AuthenticationFlowError.ACCESS_DENIED, response);
    }

    /** The direct grant flow answers the token endpoint, which wants JSON, not a page. */
    private static boolean isTokenEndpoint(KeycloakSession session) {
        return session.getContext().getUri().getPath().endsWith("/protocol/openid-connect/token");
    }

    @Override
    public void action(AuthenticationFlowContext context) {
        context.success();
    }

    @Override
    public boolean requiresUser() {
        return true;
    }

    @Override
    public boolean configuredFor(KeycloakSession session, RealmModel realm, UserModel user) {
        return true;
    }

    @Override
    public void setRequiredActions(KeycloakSession session, RealmModel realm, UserModel user) {
    }

    @Override
    public void close() {
    }
}
