package io.github.keycloakreplica.admin;

import io.github.keycloakreplica.publisher.PublisherComponents;
import io.github.keycloakreplica.store.PublisherRelayEntity;
import io.github.keycloakreplica.store.PublisherRows;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.fgap.AdminPermissionEvaluator;

import java.time.Instant;

/**
 * The publisher of a primary realm as an operator watches it, from the database only (no Kafka call on a request):
 * how much waits and for how long, which node relays, when it last published and sent a heartbeat, what went wrong
 * last, and where the reconcile stands. Under {@code /admin/realms/{realm}/replica-publisher}.
 */
public final class PublisherAdminResource {

    private final KeycloakSession session;
    private final RealmModel realm;
    private final AdminPermissionEvaluator auth;

    PublisherAdminResource(KeycloakSession session, RealmModel realm, AdminPermissionEvaluator auth) {
        this.session = session;
        this.realm = realm;
        this.auth = auth;
    }

    /** Changes recorded and not yet versioned (intents), and versioned records not yet in Kafka (outbox). */
    public record BacklogView(long intents, String oldestIntentAt, long unpublished, String oldestUnpublishedAt,
                              Long oldestUnpublishedAgeSeconds) {
    }

    /** The node that relays, its lease and its epoch (one more each time another node took over). */
    public record RelayView(String owner, long epoch, String leaseUntil, boolean leaseLive, long fenced) {
    }

    /** The comparison of the database with what was published, for changes no event told of. */
    public record ReconcileView(boolean running, String reason, String startedAt, String endedAt, long compared, long found,
                                long foundSinceEnabled) {
    }

    /** People that could not be published and were set aside rather than stopping every later change. */
    public record SetAsideView(long people, String last, String lastAt) {
    }

    public record StatusView(String realm, boolean publishing, RelayView relay, BacklogView backlog, String lastHeartbeatAt,
                             String lastPublishedAt, long published, long livePeople, String lastError, String lastErrorAt,
                             ReconcileView reconcile, SetAsideView setAside) {
    }

    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    public StatusView status() {
        auth.realm().requireViewRealm();
        PublisherRows rows = PublisherRows.of(session);
        PublisherRows.Backlog intents = rows.intents(realm.getId());
        PublisherRows.Backlog outbox = rows.outbox(realm.getId());
        long now = System.currentTimeMillis();
        BacklogView backlog = new BacklogView(intents.count(), at(intents.oldestAt()), outbox.count(), at(outbox.oldestAt()),
                outbox.oldestAt() == null ? null : Math.max(0, (now - outbox.oldestAt()) / 1000));
        PublisherRelayEntity relay = rows.findRelay(realm.getId()).orElse(null);
        boolean publishing = PublisherComponents.enabledIn(realm).isPresent();
        if (relay == null) {
            return new StatusView(realm.getName(), publishing, null, backlog, null, null, 0, rows.liveSubjects(realm.getId()), null, null,
                    null, null);
        }
        RelayView relayView = new RelayView(relay.getOwner(), relay.getEpoch(), at(relay.getLeaseUntil()), relay.getLeaseUntil() > now,
                relay.getFenced());
        ReconcileView reconcile = new ReconcileView(relay.getReconcileCursor() != null, relay.getReconcileReason(),
                at(relay.getReconcileStartedAt()), at(relay.getReconcileEndedAt()), relay.getReconcileScanned(), relay.getReconcileFound(),
                relay.getReconcileFoundTotal());
        return new StatusView(realm.getName(), publishing, relayView, backlog, at(relay.getLastHeartbeatAt()), at(relay.getLastPublishedAt()),
                relay.getPublished(), rows.liveSubjects(realm.getId()), relay.getLastError(), at(relay.getLastErrorAt()), reconcile,
                new SetAsideView(relay.getSetAside(), relay.getLastSetAside(), at(relay.getLastSetAsideAt())));
    }

    private static String at(Long epochMillis) {
        return epochMillis == null || epochMillis == 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
    }
}
