package io.github.keycloakreplica.admin;

import io.github.keycloakreplica.apply.ReplicaMetrics;
import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.store.DeadLetterRows;
import io.github.keycloakreplica.store.EventLogRows;
import io.github.keycloakreplica.store.ExposureRows;
import io.github.keycloakreplica.store.GapRows;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.PositionRows;
import io.github.keycloakreplica.store.ReplicaDeadLetterEntity;
import io.github.keycloakreplica.store.ReplicaGapEntity;
import io.github.keycloakreplica.store.ReplicaSeveredSignInEntity;
import io.github.keycloakreplica.store.ReplicaSubjectEntity;
import io.github.keycloakreplica.store.ReplicaUnresolvedEntity;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.store.SubjectRows;
import io.github.keycloakreplica.store.UnresolvedRows;
import io.github.keycloakreplica.sync.IncrementalLag;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.models.UserModel;
import org.keycloak.models.UserProvider;
import org.keycloak.services.ErrorResponseException;
import org.keycloak.services.resources.admin.AdminEventBuilder;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.storage.UserStoragePrivateUtil;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code /admin/realms/{realm}/replica}: what the replica did with the streams. Reading needs the
 * realm's {@code view-users}, as reading users does; nothing here ever returns credential secrets.
 */
public final class ReplicaAdminResource {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;
    private final AdminEventBuilder adminEvent;

    ReplicaAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth, AdminEventBuilder adminEvent) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
        this.adminEvent = adminEvent;
    }

    /**
     * The incremental sync of one component: the continuous delta consumer, its sync marker the stored
     * position, and how far it is behind per partition as of the upstream's newest heartbeat.
     */
    public record LagView(String componentId, String component, String state, String heartbeatAt, long totalLag,
                          List<IncrementalLag.PartitionLag> partitions, StallView stalled) {
    }

    /**
     * The apply engine waiting out a failure of the infrastructure on the node that answers (it is kept in
     * that node's memory: the database may be what is down); null while it applies.
     */
    public record StallView(String since, long seconds, String at, String cause, int attempts, String text) {

        static StallView of(KeycloakSession session, ComponentModel component) {
            RealmModel realm = session.realms().getRealm(component.getParentId());
            return realm == null ? null : ReplicaMetrics.stallOf(realm.getName(), component.getName()).map(s -> {
                Instant now = Instant.now();
                return new StallView(s.since().toString(), s.lasting(now).toSeconds(), s.at(), s.cause(), s.attempts(), s.toString());
            }).orElse(null);
        }
    }

    /** The incremental sync's lag per partition, from the database only (no Kafka call on a request). */
    @GET
    @Path("lag")
    @Produces(MediaType.APPLICATION_JSON)
    public List<LagView> lag() {
        auth.users().requireView();
        return replicaComponents().stream().map(component -> lagOf(session, component)).toList();
    }

    static LagView lagOf(KeycloakSession session, ComponentModel component) {
        LinkRecord link = LinkRows.of(session).read(component.getId()).orElse(null);
        List<IncrementalLag.PartitionLag> partitions = IncrementalLag.of(link == null ? null : link.heartbeatPositions(),
                PositionRows.of(session).read(component.getId()));
        return new LagView(component.getId(), component.getName(), link == null ? null : link.state().name(),
                link == null || link.lastHeartbeatAt() == null ? null : Instant.ofEpochMilli(link.lastHeartbeatAt()).toString(),
                IncrementalLag.total(partitions), partitions, StallView.of(session, component));
    }

    /** The sync operations: list, one, start. */
    @Path("operations")
    public ReplicaOperationsResource operations() {
        return new ReplicaOperationsResource(session, realm, auth, adminEvent, replicaComponents());
    }

    public record DeadLetter(String id, String componentId, String topic, int partition, long offset, String key,
                             String eventId, String eventType, String reason, String payload, String receivedAt) {
    }

    public record Page<T>(long total, int first, int max, List<T> items) {
    }

    /** One fact's version and where it came from; the value for attributes only, never a credential's. */
    public record FactView(long version, Object value, boolean present, String eventId, String source) {
    }

    public record GapView(String kind, String name, long version, String eventId) {
    }

    public record LogView(String at, String eventId, String type, String versions, String outcome, String detail, String origin) {
    }

    /** @param waitingForUsername a username another subject still holds here, which this one waits for (see OpenGapView) */
    public record SubjectView(String subject, String componentId, String userId, boolean live, String source, String gapSince,
                              Map<String, FactView> attributes, Map<String, FactView> credentials, List<GapView> gaps,
                              String waitingForUsername, String usernameHeldBy, List<String> unresolved, List<LogView> eventLog) {
    }

    public record TransitionView(String from, String to, String at, String cause, double driftSeconds) {
    }

    /**
     * One component's link. {@code driftSeconds}: how far the replica may be behind the upstream, by this
     * server's clock; while severed it grows with the severance.
     */
    public record LinkView(String componentId, String component, String state, String since, String cause, Double driftSeconds,
                           long driftWindowSeconds, boolean driftExceeded, Double heartbeatAgeSeconds, Long heartbeatIntervalMillis,
                           long severanceThresholdSeconds, long stabilizationWindowSeconds, String writePath,
                           boolean credentialWritesAllowed, List<TransitionView> history, StallView applyStalled) {
    }

    /** The link of every replica component of the realm: state, cause, drift, heartbeat age and the latest state changes. */
    @GET
    @Path("link")
    @Produces(MediaType.APPLICATION_JSON)
    public List<LinkView> link(@QueryParam("history") @DefaultValue("20") int history) {
        auth.users().requireView();
        LinkRows rows = LinkRows.of(session);
        long now = System.currentTimeMillis();
        int max = Math.max(0, Math.min(history, AdminInput.MAX_PAGE));
        return replicaComponents().stream().map(component -> {
            ReplicaConfig config = ReplicaConfig.of(component);
            LinkPolicy policy = config.linkPolicy();
            // Where credential changes go while connected; without one, every change is refused.
            String writePath = config.writePath() == null ? null : config.writePath().url().toString();
            List<TransitionView> changes = max == 0 ? List.of() : rows.transitions(component.getId(), 0, max).stream()
                    .map(t -> new TransitionView(t.getFromState(), t.getToState(), Instant.ofEpochMilli(t.getChangedAt()).toString(),
                            t.getCause(), t.getDriftMillis() / 1000.0))
                    .toList();
            LinkRecord link = rows.read(component.getId()).orElse(null);
            if (link == null) {
                return new LinkView(component.getId(), component.getName(), null, null, "the link has not been looked at yet",
                        null, policy.driftWindow().toSeconds(), false, null, null, policy.severanceThreshold().toSeconds(),
                        policy.stabilizationWindow().toSeconds(), writePath, false, changes, StallView.of(session, component));
            }
            Long age = link.heartbeatAgeMillis(now);
            return new LinkView(component.getId(), component.getName(), link.state().name(), Instant.ofEpochMilli(link.since()).toString(),
                    link.cause(), link.driftMillis(now) / 1000.0, policy.driftWindow().toSeconds(), link.driftExceeded(),
                    age == null ? null : age / 1000.0, link.heartbeatInterval(), policy.severanceThreshold().toSeconds(),
                    policy.stabilizationWindow().toSeconds(), writePath, link.state().allowsCredentialWrites() && writePath != null, changes,
                    StallView.of(session, component));
        }).toList();
    }

    public record SignInView(String subject, String userId, String username, String at, String clientId, String linkState,
                             double driftSeconds, String deprovisionedAt, String deprovisioning, String deprovisionEventId) {
    }

    /** Sign-ins this site served while its link was not CONNECTED, newest first. */
    @GET
    @Path("severed-sign-ins")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SignInView> severedSignIns(@QueryParam("first") @DefaultValue("0") int first,
                                           @QueryParam("max") @DefaultValue("100") int max) {
        auth.users().requireView();
        return ExposureRows.of(session).signIns(realm.getId(), AdminInput.offset(first), AdminInput.page(max)).stream()
                .map(ReplicaAdminResource::toRepresentation).toList();
    }

    /**
     * Deprovisioning-lag exposures: sign-ins served while the link was down to people whose deletion or
     * disabling arrived afterwards, newest deprovisioning first.
     */
    @GET
    @Path("exposures")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SignInView> exposures(@QueryParam("first") @DefaultValue("0") int first,
                                      @QueryParam("max") @DefaultValue("100") int max) {
        auth.users().requireView();
        return ExposureRows.of(session).exposures(realm.getId(), AdminInput.offset(first), AdminInput.page(max)).stream()
                .map(ReplicaAdminResource::toRepresentation).toList();
    }

    private static SignInView toRepresentation(ReplicaSeveredSignInEntity e) {
        return new SignInView(e.getSubject(), e.getUserId(), e.getUsername(), Instant.ofEpochMilli(e.getSignedInAt()).toString(),
                e.getClientId(), e.getLinkState(), e.getDriftMillis() / 1000.0,
                e.getDeprovisionedAt() == null ? null : Instant.ofEpochMilli(e.getDeprovisionedAt()).toString(), e.getDeprovisionKind(),
                e.getDeprovisionEventId());
    }

    /** Records that could not be applied, newest first, with the reason and the record (secrets redacted). */
    @GET
    @Path("dead-letters")
    @Produces(MediaType.APPLICATION_JSON)
    public Page<DeadLetter> deadLetters(@QueryParam("first") @DefaultValue("0") int first,
                                        @QueryParam("max") @DefaultValue("100") int max) {
        auth.users().requireView();
        int page = AdminInput.page(max);
        int from = AdminInput.offset(first);
        List<DeadLetter> items = DeadLetterRows.of(session).deadLetters(realm.getId(), from, page).stream().map(ReplicaAdminResource::toRepresentation).toList();
        return new Page<>(DeadLetterRows.of(session).countDeadLetters(realm.getId()), from, page, items);
    }

    /**
     * One subject with an open gap: since when, whether the gap touches access rights or is a deletion
     * (then the 'refuse' policy refuses sign-in until it closes), when a repair from the snapshot topics was
     * last tried, and what waits: facts ahead of their turn, or a username another subject still holds.
     */
    public record OpenGapView(String subject, String componentId, String userId, String username, String since, boolean critical,
                              String lastRepairAt, List<GapView> waiting, String waitingForUsername, String usernameHeldBy) {
    }

    /** Subjects with open gaps, the oldest gap first. */
    @GET
    @Path("gaps")
    @Produces(MediaType.APPLICATION_JSON)
    public Page<OpenGapView> gaps(@QueryParam("first") @DefaultValue("0") int first,
                                  @QueryParam("max") @DefaultValue("100") int max) {
        auth.users().requireView();
        int page = AdminInput.page(max);
        int from = AdminInput.offset(first);
        GapRows gapRows = GapRows.of(session);
        UserProvider local = UserStoragePrivateUtil.userLocalStorage(session);
        List<OpenGapView> items = gapRows.open(realm.getId(), from, page).entrySet().stream().map(e -> {
            ReplicaSubjectEntity s = e.getKey();
            UserModel user = local.getUserById(realm, s.getUserId());
            List<GapView> waiting = e.getValue().stream()
                    .sorted(Comparator.comparing((ReplicaGapEntity g) -> g.getKind().name()).thenComparing(ReplicaGapEntity::getName)
                            .thenComparingLong(ReplicaGapEntity::getVersion))
                    .map(g -> new GapView(g.getKind().name().toLowerCase(Locale.ROOT), g.getName(), g.getVersion(), g.getEventId()))
                    .toList();
            return new OpenGapView(s.getSubject(), s.getComponentId(), s.getUserId(), user == null ? null : user.getUsername(),
                    Instant.ofEpochMilli(s.getGapSince()).toString(), s.isCriticalGap(),
                    s.getLastRepair() == null ? null : Instant.ofEpochMilli(s.getLastRepair()).toString(), waiting,
                    s.getParkedUsername(), s.getParkedHolder());
        }).toList();
        return new Page<>(gapRows.countOpen(realm.getId()), from, page, items);
    }

    /**
     * One subject as the replica holds it: its Keycloak user, every attribute and credential with its
     * version and source, what waits in the gap buffer, unresolved entitlements and the event log.
     */
    @GET
    @Path("subjects/{subject}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SubjectView> subject(@PathParam("subject") String subject) {
        auth.users().requireView();
        String problem = AdminInput.pathProblem("A subject", subject, AdminInput.MAX_SUBJECT);
        if (problem != null) {
            throw new ErrorResponseException("invalid_request", problem, Response.Status.BAD_REQUEST);
        }
        SubjectRows subjectRows = SubjectRows.of(session);
        UnresolvedRows unresolvedRows = UnresolvedRows.of(session);
        EventLogRows eventLogRows = EventLogRows.of(session);
        List<SubjectView> views = replicaComponents().stream()
                .map(component -> subjectRows.subject(component.getId(), subject))
                .flatMap(Optional::stream)
                .map(record -> toRepresentation(unresolvedRows, eventLogRows, record))
                .toList();
        if (views.isEmpty()) {
            throw new NotFoundException("No replica component of realm " + realm.getName() + " has seen subject " + subject);
        }
        return views;
    }

    private List<ComponentModel> replicaComponents() {
        return ReplicaComponents.of(realm).toList();
    }

    private static DeadLetter toRepresentation(ReplicaDeadLetterEntity e) {
        return new DeadLetter(e.getId(), e.getComponentId(), e.getOrigin().getTopic(), e.getOrigin().getPartition(),
                e.getOrigin().getOffset(), e.getRecordKey(), e.getEventId(), e.getEventType(), e.getReason(), e.getPayload(),
                Instant.ofEpochMilli(e.getReceivedAt()).toString());
    }

    private static SubjectView toRepresentation(UnresolvedRows unresolvedRows, EventLogRows eventLogRows, SubjectRecord record) {
        Map<String, FactView> attributes = new TreeMap<>();
        Map<String, FactView> credentials = new TreeMap<>();
        for (Fact fact : record.ledger().currentFacts()) {
            boolean attribute = fact.kind() == Fact.Kind.ATTRIBUTE;
            FactView view = new FactView(fact.version(), attribute ? fact.value() : null, fact.present(),
                    fact.provenance().eventId(), fact.provenance().source());
            (attribute ? attributes : credentials).put(fact.name(), view);
        }
        List<GapView> gaps = record.ledger().bufferedFacts().stream()
                .map(f -> new GapView(f.kind().name().toLowerCase(Locale.ROOT), f.name(), f.version(), f.provenance().eventId()))
                .toList();
        ReplicaSubjectEntity row = record.row();
        List<String> unresolved = unresolvedRows.ofSubject(row.getId()).stream().map(ReplicaUnresolvedEntity::getEntitlement).toList();
        List<LogView> eventLog = eventLogRows.lines(row.getId(), 100).stream()
                .map(l -> new LogView(Instant.ofEpochMilli(l.getLoggedAt()).toString(), l.getEventId(), l.getEventType(), l.getVersions(),
                        l.getOutcome().toLowerCase(Locale.ROOT), l.getDetail(), l.getOrigin()))
                .toList();
        return new SubjectView(record.subject(), row.getComponentId(), record.userId(), row.isLive(), row.getSource(),
                row.getGapSince() == null ? null : Instant.ofEpochMilli(row.getGapSince()).toString(),
                attributes, credentials, gaps, record.parkedUsername(), record.parkedHolder(), unresolved, eventLog);
    }
}
