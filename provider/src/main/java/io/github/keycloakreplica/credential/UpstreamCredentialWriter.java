package io.github.keycloakreplica.credential;

import io.github.keycloakreplica.apply.EventRejectedException;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamEvent;
import org.jboss.logging.Logger;
import org.keycloak.credential.CredentialModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.policy.PasswordPolicyManagerProvider;
import org.keycloak.policy.PolicyError;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Carries a credential change of a replicated person to the authority's write path and, once the
 * authority confirms it, applies the credential events it answered with, by the stream's own rules and in
 * the request's transaction. The replica never stores a credential the authority has not confirmed: when
 * the answer is a refusal, or there is none, nothing is written and the person reads why.
 */
public final class UpstreamCredentialWriter implements UpstreamWrites {

    private static final Logger log = Logger.getLogger(UpstreamCredentialWriter.class);

    /** Session attribute: a password of this user was confirmed upstream in this request (for messages that follow). */
    public static final String CONFIRMED_PASSWORD = UpstreamCredentialWriter.class.getName() + ".password";

    private final KeycloakSession session;
    private final String componentId;
    private final String site;
    private final String upstream;
    private final WritePathClient client;
    private final Supplier<StreamApplier> applier;
    private final CredentialGate gate;

    /** @param applier the component's apply engine, made when a confirmation arrives (most sessions never write) */
    public UpstreamCredentialWriter(KeycloakSession session, String componentId, String site, String upstream, WritePathClient client,
                             Supplier<StreamApplier> applier, CredentialGate gate) {
        this.session = session;
        this.componentId = componentId;
        this.site = site;
        this.upstream = upstream;
        this.client = client;
        this.applier = applier;
        this.gate = gate;
    }

    /** A new password: the realm's policy here first (the person reads Keycloak's own message), then the authority's. */
    public void setPassword(RealmModel realm, UserModel user, String password) {
        PolicyError error = session.getProvider(PasswordPolicyManagerProvider.class).validate(realm, user, password);
        if (error != null) {
            throw new ModelException(error.getMessage(), error.getParameters());
        }
        submit(user, "update", "password", CredentialChangeRequest.setPassword(site, subject(user).subject(), password));
        session.setAttribute(CONFIRMED_PASSWORD + "." + user.getId(), Boolean.TRUE);
    }

    /** A new credential Keycloak built here (OTP, security key, passkey, recovery codes); returns it as stored once confirmed. */
    @Override
    public CredentialModel create(UserModel user, CredentialModel draft, Function<String, CredentialModel> stored) {
        List<StreamEvent> events = submit(user, "create", draft.getType(), CredentialChangeRequest.create(site, subject(user).subject(),
                draft.getType(), draft.getUserLabel(), draft.getCredentialData(), draft.getSecretData()));
        return events.stream()
                .filter(e -> e instanceof CredentialUpsert u && u.credential().type().equals(draft.getType()))
                .map(e -> ((CredentialUpsert) e).credential().id())
                .reduce((first, last) -> last)
                .map(id -> stored.apply(SubjectIds.credentialId(id)))
                .orElseThrow(() -> refuse(user, "create", draft.getType(), CredentialRefusal.unconfirmed(user.getUsername(), upstream,
                        "its answer holds no " + draft.getType() + " credential")));
    }

    @Override
    public void remove(UserModel user, String keycloakCredentialId) {
        Upstreamed credential = upstreamed(user, keycloakCredentialId, "remove");
        submit(user, "remove", credential.type(), CredentialChangeRequest.remove(site, credential.subject(), credential.id(),
                credential.type(), credential.version()));
    }

    @Override
    public void relabel(UserModel user, String keycloakCredentialId, String label) {
        Upstreamed credential = upstreamed(user, keycloakCredentialId, "relabel");
        submit(user, "relabel", credential.type(), CredentialChangeRequest.relabel(site, credential.subject(), credential.id(),
                credential.type(), credential.version(), label));
    }

    /** A credential as the authority knows it: its id there, its type, and the version this replica holds. */
    private record Upstreamed(String subject, String id, String type, long version) {
    }

    private Upstreamed upstreamed(UserModel user, String keycloakCredentialId, String operation) {
        SubjectRows.UserSubject subject = subject(user);
        Optional<Fact> fact = subject.facts().stream()
                .filter(f -> f.kind() == Fact.Kind.CREDENTIAL && f.present())
                .filter(f -> SubjectIds.credentialId(f.name()).equals(keycloakCredentialId))
                .findFirst();
        if (fact.isEmpty()) {
            throw refuse(user, operation, null, CredentialRefusal.unconfirmed(user.getUsername(), upstream,
                    "this site holds no credential " + keycloakCredentialId + " from it"));
        }
        ReplicatedCredential credential = SubjectApply.credential(fact.get());
        return new Upstreamed(subject.subject(), credential.id(), credential.type(), credential.version());
    }

    private SubjectRows.UserSubject subject(UserModel user) {
        return SubjectRows.of(session).factsOfUser(componentId, user.getId())
                .orElseThrow(() -> new IllegalStateException("user " + user.getUsername() + " has no subject of replica component " + componentId));
    }

    private List<StreamEvent> submit(UserModel user, String operation, String type, CredentialChangeRequest request) {
        List<StreamEvent> events;
        try {
            events = client.submit(request);
        } catch (WritePathException e) {
            throw refuse(user, operation, type, e.kind() == WritePathException.Kind.REFUSED
                    ? CredentialRefusal.refusedUpstream(user.getUsername(), upstream, e.getMessage())
                    : CredentialRefusal.unconfirmed(user.getUsername(), upstream, e.getMessage()));
        }
        StreamApplier.BatchResult applied;
        try {
            applied = applier.get().applyConfirmed(session, events, "write path request " + request.id());
        } catch (EventRejectedException e) {
            // Confirmed upstream; the stream brings the same events and dead-letters them with this reason.
            throw refuse(user, operation, type, CredentialRefusal.unconfirmed(user.getUsername(), upstream,
                    "its confirmation cannot be applied at this site: " + e.getMessage()));
        }
        log.infof("replica: %s confirmed a credential change (%s%s) of user %s (request %s): %s", upstream, operation,
                type == null ? "" : ", type " + type, user.getUsername(), request.id(), applied.outcomes());
        return events;
    }

    private CredentialChangeRefusedException refuse(UserModel user, String operation, String type, CredentialRefusal refusal) {
        gate.record(user, operation, type, refusal);
        return new CredentialChangeRefusedException(refusal);
    }
}
