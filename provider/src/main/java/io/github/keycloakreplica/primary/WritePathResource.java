package io.github.keycloakreplica.primary;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.publisher.Materializer;
import io.github.keycloakreplica.publisher.PublisherComponents;
import io.github.keycloakreplica.publisher.PublisherConfig;
import io.github.keycloakreplica.store.PublisherRows;
import io.github.keycloakreplica.store.PublisherWriteRequestEntity;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import io.github.keycloakreplica.stream.InvalidEventException;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.WritePathCodec;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.events.EventBuilder;
import org.keycloak.events.EventType;
import org.keycloak.models.ClientModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ModelDuplicateException;
import org.keycloak.models.RealmModel;
import org.keycloak.models.RoleModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A primary realm's credential write path, at {@code POST /realms/{realm}/replica-write-path/credentials}: the
 * contract of docs/write-path.md served by the realm itself. Only a confidential client of the realm whose service
 * account holds the realm role {@value #SITE_ROLE} may call it (HTTP Basic with its secret), and only while the
 * realm has an enabled publisher. The same {@code Idempotency-Key} from the same client gets the same answer, from
 * the database, after a restart too; a second request with a key still being carried out waits for the first.
 * Every change is audited as a Keycloak user event of the person, with the site's client and the site's name.
 */
public final class WritePathResource {

    private static final Logger log = Logger.getLogger(WritePathResource.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The realm role a site's client must hold; the operator grants it to each site's service account. */
    public static final String SITE_ROLE = "replica-site";
    /** The event detail naming the site (the replica's consumer group), next to the event's client. */
    static final String SITE_DETAIL = "replica_site";
    static final String CHANGE_DETAIL = "replica_change";

    private final KeycloakSession session;
    private final WritePathCodec codec;
    private final Materializer materializer;

    WritePathResource(KeycloakSession session, WritePathCodec codec, Materializer materializer) {
        this.session = session;
        this.codec = codec;
        this.materializer = materializer;
    }

    private record Answer(int status, byte[] body) {
        Response response() {
            return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build();
        }
    }

    @POST
    @Path("credentials")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response change(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, @HeaderParam("Idempotency-Key") String key,
                           byte[] body) {
        RealmModel realm = session.getContext().getRealm();
        Optional<ComponentModel> publisher = PublisherComponents.enabledIn(realm);
        if (publisher.isEmpty()) {
            return error(404, "not_found", "Realm " + realm.getName() + " has no enabled publisher, so it serves no write path.").response();
        }
        ClientModel client = authenticated(realm, authorization);
        if (client == null) {
            return Response.fromResponse(error(401, "invalid_client", "Unknown client or wrong secret.").response())
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"" + realm.getName() + "\"").build();
        }
        if (!holdsSiteRole(realm, client)) {
            return error(403, "access_denied", "Client " + client.getClientId() + " may not change credentials here: its service account "
                    + "lacks the realm role " + SITE_ROLE + ".").response();
        }
        CredentialChangeRequest request;
        try {
            request = codec.decodeRequest(body == null ? new byte[0] : body);
        } catch (InvalidEventException e) {
            return error(400, "invalid_request", "The request " + e.getMessage()).response();
        }
        if (key != null && !key.equals(request.id())) {
            return error(400, "invalid_request", "The Idempotency-Key header and the request's id differ.").response();
        }
        PublisherRows rows = PublisherRows.of(session);
        Optional<PublisherWriteRequestEntity> earlier = rows.writeRequest(realm.getId(), client.getClientId(), request.id());
        if (earlier.isPresent()) {
            return replay(earlier.get(), request).response();
        }
        PublisherWriteRequestEntity row;
        try {
            row = rows.startWriteRequest(realm.getId(), client.getClientId(), request.id(), request.site(), request.subject(),
                    request.change().value(), System.currentTimeMillis());
        } catch (PersistenceException | ModelDuplicateException e) {
            // The same key, carried out meanwhile by another request that has committed now: its answer is this one's.
            // (Keycloak's entity manager reports the duplicate key as its own ModelDuplicateException.)
            session.getTransactionManager().setRollbackOnly();
            return KeycloakModelUtils.runJobInTransactionWithResult(session.getKeycloakSessionFactory(), other -> PublisherRows.of(other)
                    .writeRequest(realm.getId(), client.getClientId(), request.id()).map(done -> replay(done, request))
                    .orElseGet(() -> error(409, "in_progress", "A request with this Idempotency-Key is being carried out; try again."))).response();
        }
        String source = PublisherConfig.sourceOf(publisher.get(), realm.getName());
        CredentialWrites.Outcome outcome;
        try {
            outcome = new CredentialWrites(session, realm, source, materializer).carryOut(request);
        } catch (IllegalStateException e) {
            session.getTransactionManager().setRollbackOnly();
            log.warnf("realm %s: the write path could not carry out %s: %s", LogSafe.escape(realm.getName()), request, e.getMessage());
            return error(503, "temporarily_unavailable", "The change could not be carried out at " + realm.getName() + " (" + e.getMessage()
                    + "); nothing was changed.").response();
        }
        Answer answer = outcome instanceof CredentialWrites.Refused refused
                ? error(refused.status(), refused.error(), refused.description())
                : new Answer(200, codec.encodeConfirmation(((CredentialWrites.Applied) outcome).events()));
        row.setStatus(answer.status());
        row.setAnswer(new String(answer.body(), StandardCharsets.UTF_8));
        audit(realm, client, request, outcome);
        return answer.response();
    }

    /** The earlier answer to this key, if it was the same change; a key reused for another change is refused. */
    private static Answer replay(PublisherWriteRequestEntity earlier, CredentialChangeRequest request) {
        if (!earlier.getSubject().equals(request.subject()) || !earlier.getChange().equals(request.change().value())) {
            return error(422, "idempotency_key_reused", "This Idempotency-Key was used for another change.");
        }
        return new Answer(earlier.getStatus(), earlier.getAnswer().getBytes(StandardCharsets.UTF_8));
    }

    /** The confidential client whose id and secret the Basic header carries, or null. */
    private static ClientModel authenticated(RealmModel realm, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        ClientModel client = realm.getClientByClientId(decoded.substring(0, colon));
        if (client == null || !client.isEnabled() || client.isPublicClient() || client.isBearerOnly()
                || !client.validateSecret(decoded.substring(colon + 1))) {
            return null;
        }
        return client;
    }

    private boolean holdsSiteRole(RealmModel realm, ClientModel client) {
        RoleModel role = realm.getRole(SITE_ROLE);
        if (role == null || !client.isServiceAccountsEnabled()) {
            return false;
        }
        UserModel account = session.users().getServiceAccount(client);
        return account != null && account.hasRole(role);
    }

    /** A user event of the person changed, naming the site's client and the site; never the secret that changed. */
    private void audit(RealmModel realm, ClientModel client, CredentialChangeRequest request, CredentialWrites.Outcome outcome) {
        EventType type = switch (request.change()) {
            case SET_PASSWORD -> EventType.UPDATE_PASSWORD;
            case REMOVE -> EventType.REMOVE_CREDENTIAL;
            case CREATE, RELABEL -> EventType.UPDATE_CREDENTIAL;
        };
        EventBuilder event = new EventBuilder(realm, session, session.getContext().getConnection()).event(type).client(client)
                .user(request.subject()).detail(SITE_DETAIL, request.site()).detail(CHANGE_DETAIL, request.change().value());
        if (request.credential() != null && request.credential().type() != null) {
            event.detail("credential_type", request.credential().type());
        }
        if (outcome instanceof CredentialWrites.Refused refused) {
            event.detail("reason", refused.error()).error("replica_write_refused");
        } else {
            event.success();
        }
    }

    private static Answer error(int status, String error, String description) {
        ObjectNode body = MAPPER.createObjectNode().put("error", error).put("error_description", description);
        return new Answer(status, body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
