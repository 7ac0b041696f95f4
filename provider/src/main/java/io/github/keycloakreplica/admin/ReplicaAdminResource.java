package io.github.keycloakreplica.admin;

import io.github.keycloakreplica.replica.ReplicaUserStorageProviderFactory;
import io.github.keycloakreplica.store.ReplicaDeadLetterEntity;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.store.ReplicaVersionEntity;
import io.github.keycloakreplica.store.StoredSubject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;
import org.keycloak.storage.UserStorageProvider;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /admin/realms/{realm}/replica}: what the replica did with the streams. Reading needs the
 * realm's {@code view-users}, as reading users does; nothing here ever returns credential secrets.
 */
public final class ReplicaAdminResource {

    private static final int MAX_PAGE = 500;

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;

    ReplicaAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
    }

    public record DeadLetter(String id, String componentId, String topic, int partition, long offset, String key,
                             String eventId, String eventType, String reason, String payload, String receivedAt) {
    }

    public record Page<T>(long total, int first, int max, List<T> items) {
    }

    public record VersionInfo(long version, String eventId, String source, String updatedAt) {
    }

    public record SubjectView(String subject, String componentId, String userId, boolean deleted, String source,
                              Map<String, VersionInfo> attributes, Map<String, VersionInfo> credentials) {
    }

    /** Records that could not be applied, newest first, with the reason and the record (secrets redacted). */
    @GET
    @Path("dead-letters")
    @Produces(MediaType.APPLICATION_JSON)
    public Page<DeadLetter> deadLetters(@QueryParam("first") @DefaultValue("0") int first,
                                        @QueryParam("max") @DefaultValue("100") int max) {
        auth.users().requireView();
        int page = Math.max(1, Math.min(max, MAX_PAGE));
        int from = Math.max(0, first);
        ReplicaStore store = ReplicaStore.of(session);
        List<DeadLetter> items = store.deadLetters(realm.getId(), from, page).stream().map(ReplicaAdminResource::toRepresentation).toList();
        return new Page<>(store.countDeadLetters(realm.getId()), from, page, items);
    }

    /** One subject as the replica holds it: its Keycloak user, whether deleted, and the version of everything. */
    @GET
    @Path("subjects/{subject}")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SubjectView> subject(@PathParam("subject") String subject) {
        auth.users().requireView();
        ReplicaStore store = ReplicaStore.of(session);
        List<SubjectView> views = replicaComponents().stream()
                .map(component -> store.subjects(component.getId(), List.of(subject)).get(subject))
                .filter(java.util.Objects::nonNull)
                .map(ReplicaAdminResource::toRepresentation)
                .toList();
        if (views.isEmpty()) {
            throw new NotFoundException("No replica component of realm " + realm.getName() + " has seen subject " + subject);
        }
        return views;
    }

    private List<ComponentModel> replicaComponents() {
        return realm.getComponentsStream(realm.getId(), UserStorageProvider.class.getName())
                .filter(c -> ReplicaUserStorageProviderFactory.PROVIDER_ID.equals(c.getProviderId()))
                .toList();
    }

    private static DeadLetter toRepresentation(ReplicaDeadLetterEntity e) {
        return new DeadLetter(e.getId(), e.getComponentId(), e.getOrigin().getTopic(), e.getOrigin().getPartition(),
                e.getOrigin().getOffset(), e.getRecordKey(), e.getEventId(), e.getEventType(), e.getReason(), e.getPayload(),
                Instant.ofEpochMilli(e.getReceivedAt()).toString());
    }

    private static SubjectView toRepresentation(StoredSubject s) {
        Map<String, VersionInfo> attributes = new TreeMap<>();
        Map<String, VersionInfo> credentials = new TreeMap<>();
        for (ReplicaVersionEntity v : s.versions()) {
            VersionInfo info = new VersionInfo(v.getVersion(), v.getEventId(), v.getSource(), Instant.ofEpochMilli(v.getUpdatedAt()).toString());
            (v.getKind() == ReplicaVersionEntity.Kind.ATTRIBUTE ? attributes : credentials).put(v.getName(), info);
        }
        return new SubjectView(s.entity().getSubject(), s.entity().getComponentId(), s.userId(), s.entity().isDeleted(),
                s.entity().getSource(), attributes, credentials);
    }
}
