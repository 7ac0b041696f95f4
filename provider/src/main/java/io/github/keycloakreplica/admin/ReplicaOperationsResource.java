package io.github.keycloakreplica.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.credential.CredentialRefusal;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.storage.SeveredOperations;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.OperationRows;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import io.github.keycloakreplica.store.ReplicaSubjectEntity;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.sync.IncrementalLag;
import io.github.keycloakreplica.sync.OperationKind;
import io.github.keycloakreplica.sync.Operations;
import io.github.keycloakreplica.sync.OrphanScope;
import io.github.keycloakreplica.sync.TargetedScope;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.component.ComponentModel;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.storage.UserStorageProviderModel;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code /admin/realms/{realm}/replica/operations}: the sync operations of the realm's replica
 * components. Reading needs {@code view-users}; starting one needs {@code manage-users}, a reason, and is
 * an admin event with the operator and the reason.
 */
public final class ReplicaOperationsResource {

    static final String INCREMENTAL = "incremental";
    static final String INCREMENTAL_PREFIX = INCREMENTAL + "-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;
    private final List<ComponentModel> components;

    ReplicaOperationsResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent,
                              List<ComponentModel> components) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent;
        this.components = components;
    }

    /**
     * An operation as the API shows it; times are ISO-8601, null until they happen. The incremental sync
     * is a standing entry ({@code kind} "incremental", id {@code incremental-<componentId>}): it has no
     * attempts or counts, but its lag per partition as of the upstream's newest heartbeat.
     */
    public record OperationView(String id, String componentId, String kind, String scope, String requestedBy, String reason,
                                String idempotencyKey, String state, Integer attempts, String nextAttemptAt, Integer processed,
                                Integer added, Integer updated, Integer removed, Integer failed, String lastError, JsonNode result,
                                String createdAt, String startedAt, String endedAt, Long lag,
                                List<IncrementalLag.PartitionLag> partitions) {

        static OperationView of(ReplicaOperationEntity o) {
            return new OperationView(o.getId(), o.getComponentId(), o.getKind().toLowerCase(Locale.ROOT), o.getScope(),
                    o.getRequestedBy(), o.getReason(), o.getIdempotencyKey(), o.getState(), o.getAttempts(),
                    "QUEUED".equals(o.getState()) ? time(o.getNextAttemptAt()) : null, o.getProcessed(), o.getAdded(), o.getUpdated(),
                    o.getRemoved(), o.getFailed(), o.getLastError(), json(o.getResult()), time(o.getCreatedAt()), time(o.getStartedAt()),
                    time(o.getEndedAt()), null, null);
        }

        /** The continuous delta consumer of a component: RUNNING while the component is enabled, else STOPPED. */
        static OperationView incremental(ComponentModel component, ReplicaAdminResource.LagView lag) {
            boolean enabled = new UserStorageProviderModel(component).isEnabled();
            return new OperationView(INCREMENTAL_PREFIX + component.getId(), component.getId(), INCREMENTAL, null,
                    "the component's configuration", "follows the delta topics as they arrive; its sync marker is the stored position",
                    null, enabled ? "RUNNING" : "STOPPED", null, null, null, null, null, null, null, null, null, null, null, null,
                    lag.heartbeatAt() == null ? null : lag.totalLag(), lag.partitions());
        }

        private static JsonNode json(String text) {
            try {
                return text == null ? null : JSON.readTree(text);
            } catch (IOException e) {
                return null;
            }
        }

        private static String time(Long millis) {
            return millis == null ? null : Instant.ofEpochMilli(millis).toString();
        }
    }

    /**
     * What starts an operation.
     *
     * @param kind           "full", "targeted" or "orphans"
     * @param reason         why, for the audit trail: required, at most 1,024 characters
     * @param idempotencyKey the same key again returns the operation it started instead of a second one; at most 255 characters
     * @param componentId    which replica component, when the realm has more than one
     * @param subjects       a targeted sync's subjects
     * @param username       or the username of a replicated user, for a targeted sync
     * @param action         what an orphan reconciliation does with orphans: "disable" (default) or "remove"
     * @param dryRun         an orphan reconciliation that only lists the orphans
     */
    public record StartRequest(String kind, String reason, String idempotencyKey, String componentId, List<String> subjects,
                               String username, String action, Boolean dryRun) {
    }

    /** The standing incremental sync of every component first (on the first page), then the operations, newest first. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<OperationView> list(@QueryParam("first") @DefaultValue("0") int first, @QueryParam("max") @DefaultValue("100") int max) {
        auth.users().requireView();
        List<OperationView> views = new ArrayList<>();
        if (first <= 0) {
            components.forEach(c -> views.add(OperationView.incremental(c, ReplicaAdminResource.lagOf(session, c))));
        }
        OperationRows.of(session).list(components.stream().map(ComponentModel::getId).toList(), AdminInput.offset(first),
                AdminInput.page(max)).forEach(o -> views.add(OperationView.of(o)));
        return views;
    }

    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_JSON)
    public OperationView one(@PathParam("id") String id) {
        auth.users().requireView();
        String idProblem = AdminInput.pathProblem("The operation id", id, AdminInput.MAX_OPERATION_ID);
        if (idProblem != null) {
            throw badRequest(idProblem);
        }
        if (id.startsWith(INCREMENTAL_PREFIX)) {
            String componentId = id.substring(INCREMENTAL_PREFIX.length());
            return components.stream().filter(c -> c.getId().equals(componentId)).findFirst()
                    .map(c -> OperationView.incremental(c, ReplicaAdminResource.lagOf(session, c)))
                    .orElseThrow(() -> new ErrorResponseException("not_found", "No replica component " + componentId + " in realm "
                            + realm.getName(), Response.Status.NOT_FOUND));
        }
        return OperationRows.of(session).find(id)
                .filter(o -> components.stream().anyMatch(c -> c.getId().equals(o.getComponentId())))
                .map(OperationView::of)
                .orElseThrow(() -> new ErrorResponseException("not_found", "No operation " + id + " in realm " + realm.getName(),
                        Response.Status.NOT_FOUND));
    }

    /** Starts an operation: 202 with it; 200 with the existing one when the idempotency key was used before. */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response start(StartRequest request) {
        auth.users().requireManage();
        if (request == null) {
            throw badRequest("The request needs a JSON body: {\"kind\": \"full\", \"reason\": \"why\"}.");
        }
        List<String> problems = limitProblems(request);
        if (!problems.isEmpty()) {
            throw badRequest(String.join(" ", problems));
        }
        if (request.kind() != null && INCREMENTAL.equalsIgnoreCase(request.kind().trim())) {
            throw badRequest("The incremental sync is not started: it runs whenever the component is enabled (the standing "
                    + "'incremental' entry of this list). To get ahead of it, start a 'targeted' or a 'full' sync.");
        }
        OperationKind kind;
        try {
            kind = OperationKind.of(request.kind());
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage() + ".");
        }
        if (request.reason() == null || request.reason().isBlank()) {
            throw badRequest("A reason is required: it goes into the admin events with your name.");
        }
        String misplaced = misplacedFields(kind, request);
        if (misplaced != null) {
            throw badRequest(misplaced);
        }
        ComponentModel component = component(request.componentId());
        String scope;
        try {
            scope = switch (kind) {
                case FULL -> null;
                case TARGETED -> targetedScope(component, request);
                case ORPHANS -> OrphanScope.of(request.action(), request.dryRun()).write();
            };
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
        LinkRecord link = LinkRows.of(session).read(component.getId()).orElse(null);
        SeveredOperations.refusal(kind, link).ifPresent(refusal -> {
            throw new ErrorResponseException(CredentialRefusal.LINK_DOWN, refusal, Response.Status.CONFLICT);
        });
        String operator = auth.adminAuth().getUser().getUsername();
        OperationRows.Started started = Operations.start(session, component, kind, scope, operator, request.reason().trim(),
                request.idempotencyKey());
        OperationView view = OperationView.of(started.operation());
        if (started.created()) {
            adminEvent.operation(OperationType.ACTION).resource(ResourceType.USER)
                    .resourcePath("replica", "operations", view.id())
                    .representation(view)
                    .detail("reason", request.reason().trim())
                    .success();
        }
        return Response.status(started.created() ? Response.Status.ACCEPTED : Response.Status.OK).entity(view).build();
    }

    /** Every text within its column and free of control characters, before anything reads or stores it. */
    static List<String> limitProblems(StartRequest request) {
        return Stream.of(
                        AdminInput.problem("kind", request.kind(), AdminInput.MAX_WORD, false),
                        AdminInput.problem("reason", request.reason(), AdminInput.MAX_REASON, true),
                        AdminInput.problem("idempotencyKey", request.idempotencyKey(), AdminInput.MAX_IDEMPOTENCY_KEY, false),
                        AdminInput.problem("componentId", request.componentId(), AdminInput.MAX_COMPONENT_ID, false),
                        AdminInput.problem("subjects", request.subjects(), AdminInput.MAX_SUBJECT),
                        AdminInput.problem("username", request.username(), AdminInput.MAX_USERNAME, false),
                        AdminInput.problem("action", request.action(), AdminInput.MAX_WORD, false))
                .filter(Objects::nonNull).toList();
    }

    /**
     * A field of another kind of operation: refused rather than ignored, since a caller who sends
     * {@code "dryRun": true} with a full sync expects nothing to change, and one who names subjects
     * expects only those to be read.
     */
    static String misplacedFields(OperationKind kind, StartRequest request) {
        boolean targetedFields = request.subjects() != null && !request.subjects().isEmpty()
                || request.username() != null && !request.username().isBlank();
        if (kind != OperationKind.TARGETED && targetedFields) {
            return "subjects and username are for a 'targeted' sync; a '" + kind.value() + "' " + (kind == OperationKind.FULL
                    ? "sync reads every subject." : "reconciliation looks at every user of the component.");
        }
        boolean orphanFields = request.action() != null && !request.action().isBlank() || Boolean.TRUE.equals(request.dryRun());
        if (kind != OperationKind.ORPHANS && orphanFields) {
            return "action and dryRun are for an 'orphans' reconciliation; a '" + kind.value() + "' sync has no dry run: it "
                    + "changes users as it goes.";
        }
        return null;
    }

    /**
     * The subjects of a targeted sync, from the list or the username.
     */
    private String targetedScope(ComponentModel component, StartRequest request) {
        List<String> subjects = new ArrayList<>(request.subjects() == null ? List.of() : request.subjects());
        if (request.username() != null && !request.username().isBlank()) {
            UserModel user = session.users().getUserByUsername(realm, request.username().trim());
            String subject = user == null || !component.getId().equals(user.getFederationLink()) ? null
                    : SubjectRows.of(session).ofUser(component.getId(), user.getId()).map(ReplicaSubjectEntity::getSubject).orElse(null);
            if (subject == null) {
                throw badRequest("No user replicated by " + component.getName() + " has the username " + AdminInput.quoted(request.username())
                        + " here; name the subject instead (a person the site has never seen has no username here).");
            }
            subjects.add(subject);
        }
        String scope;
        try {
            scope = TargetedScope.write(subjects);
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
        return scope;
    }

    private ComponentModel component(String componentId) {
        if (componentId != null && !componentId.isBlank()) {
            return components.stream().filter(c -> c.getId().equals(componentId.trim())).findFirst()
                    .orElseThrow(() -> badRequest("Realm " + realm.getName() + " has no replica component " + componentId + "."));
        }
        if (components.size() != 1) {
            throw badRequest(components.isEmpty() ? "Realm " + realm.getName() + " has no " + ReplicaComponents.PROVIDER_ID
                    + " component." : "Realm " + realm.getName() + " has " + components.size() + " replica components: name one in componentId.");
        }
        return components.get(0);
    }

    private static ErrorResponseException badRequest(String description) {
        return new ErrorResponseException("invalid_request", description, Response.Status.BAD_REQUEST);
    }
}
