package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sync operations on the real stack: a full sync started over the admin REST API, or with Keycloak's own
 * "Sync all users" or periodic full sync, answers at once and runs in the background, re-reads the
 * snapshot topics and brings every subject up to them; who may start and read operations; who asked, as
 * each operation records it; the admin event with operator and reason.
 */
@ExtendWith(ReplicaStack.class)
class SyncOperationsIT {

    private static final String PASSWORD = "correct horse battery staple";
    private static final int BACKLOG = 10_000;

    @Test
    void aFullSyncBringsWhatOnlyTheSnapshotTopicsHoldAndSaysWhatItDid(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "fullsync")) {
            Upstream upstream = realm.upstream(2);
            // A short stabilization window: the link leaves SEVERED a second after the heartbeats start below.
            realm.replicate(upstream, TestRealm.linkSettings(10, 1));
            KeycloakHttp.Response events = site.keycloak().admin("PUT", realm.name, Map.of("adminEventsEnabled", true,
                    "adminEventsDetailsEnabled", true));
            assertThat(events.status()).as(events.toString()).isEqualTo(204);
            // One person through the deltas as usual.
            String known = UUID.randomUUID().toString();
            String knownName = People.uniqueName("fs");
            upstream.upsert(known, People.person(knownName));
            realm.awaitUser(knownName, u -> true);
            // What the delta topics never carried (lost deltas, a site that followed the wrong topics): only
            // the snapshot topics have it. Two new people, and a change of the first one.
            String first = UUID.randomUUID().toString();
            String second = UUID.randomUUID().toString();
            String firstName = People.uniqueName("fs");
            String secondName = People.uniqueName("fs");
            upstream.upsertEvent(first, People.person(firstName));
            upstream.credentialEvent(first, "pw-" + first, "password",
                    KeycloakCredentials.password(PASSWORD), null);
            upstream.upsertEvent(second, People.person(secondName));
            upstream.upsertEvent(known, Map.of("lastName", "From-snapshot"));
            // And one whose username a local user of the realm holds: refused, the others of its chunk applied.
            String takenName = People.uniqueName("taken");
            assertThat(site.keycloak().admin("POST", realm.name + "/users", Map.of("username", takenName, "enabled", true)).status())
                    .isEqualTo(201);
            upstream.upsertEvent(UUID.randomUUID().toString(), People.person(takenName));
            upstream.flush();
            assertThat(realm.user(firstName)).as("not from the deltas").isEmpty();

            // No heartbeat yet: the link is SEVERED, and a full sync is refused, not queued, in admin REST and on the button.
            KeycloakHttp.Response refused = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "full", "reason", "while severed"));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
            assertThat(refused.json().get("error").asText()).isEqualTo("replica_link_down");
            assertThat(refused.json().get("error_description").asText()).startsWith("A full sync reads the upstream's snapshot topics")
                    .contains("Nothing was queued");
            KeycloakHttp.Response refusedButton = site.keycloak().admin("POST", realm.name + "/user-storage/" + realm.componentId()
                    + "/sync?action=triggerFullSync", null);
            assertThat(refusedButton.json().get("status").asText()).startsWith("Full sync not started. A full sync reads");
            assertThat(site.keycloak().admin("GET", realm.name + "/replica/operations", null).json()).as("nothing queued").hasSize(1);
            upstream.startHeartbeats(Duration.ofMillis(500));
            realm.awaitLinkReachable();

            // What the component's start counted (its bootstrap may have repaired the first person from the snapshots).
            double repairedBefore = realm.meter("keycloak_replica_events_total", "outcome=\"repaired\"");
            double rejectedBefore = realm.meter("keycloak_replica_events_total", "outcome=\"rejected\"");
            KeycloakHttp.Response started = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "full", "reason", "deltas were lost at this site", "idempotencyKey", "fs-" + realm.name));
            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            String id = started.json().get("id").asText();
            assertThat(started.json().get("requestedBy").asText()).isEqualTo(site.server().adminUsername());
            assertThat(started.json().get("state").asText()).isIn("QUEUED", "RUNNING");
            // The same key again: the same operation, not a second one.
            KeycloakHttp.Response again = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "full", "reason", "double click", "idempotencyKey", "fs-" + realm.name));
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.json().get("id").asText()).isEqualTo(id);

            JsonNode done = realm.awaitOperationSucceeded(id);
            assertThat(done.get("added").asInt()).as(done.toString()).isEqualTo(2);
            assertThat(done.get("updated").asInt()).as(done.toString()).isEqualTo(1);
            assertThat(done.get("removed").asInt()).isZero();
            assertThat(done.get("failed").asInt()).as(done.toString()).isEqualTo(1);
            assertThat(done.get("processed").asInt()).isEqualTo(4);
            // The chunk holding the taken username was applied twice (trusting the unique key, then with lookups);
            // the metrics count what was committed, once.
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"repaired\"") - repairedBefore).isEqualTo(3);
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"rejected\"") - rejectedBefore).isEqualTo(1);
            assertThat(realm.user(takenName).orElseThrow().has("federationLink")).as("the local user stays local").isFalse();
            assertThat(done.get("attempts").asInt()).isEqualTo(1);
            assertThat(done.get("endedAt").asText()).isNotEmpty();
            assertThat(realm.user(secondName)).isPresent();
            assertThat(realm.user(knownName).orElseThrow().get("lastName").asText()).isEqualTo("From-snapshot");
            assertThat(site.keycloak().passwordGrant(realm.name, "admin-cli", null, firstName, PASSWORD).status()).isEqualTo(200);

            // The incremental sync stands first, then the operations, newest first.
            JsonNode listed = site.keycloak().admin("GET", realm.name + "/replica/operations", null).json();
            assertThat(listed).extracting(o -> o.get("id").asText()).containsExactly("incremental-" + realm.componentId(), id);
            assertThat(listed.get(0).get("kind").asText()).isEqualTo("incremental");
            JsonNode adminEvents = site.keycloak().admin("GET", realm.name + "/admin-events?operationTypes=ACTION", null).json();
            assertThat(adminEvents).anySatisfy(e -> {
                assertThat(e.get("resourcePath").asText()).isEqualTo("replica/operations/" + id);
                assertThat(e.path("details").path("reason").asText()).isEqualTo("deltas were lost at this site");
                assertThat(e.path("authDetails").path("userId").asText()).isNotEmpty();
            });

            // Keycloak's own "Sync all users" (what the admin console's button calls): answered at once.
            String componentId = realm.componentId();
            KeycloakHttp.Response button = site.keycloak().admin("POST", realm.name + "/user-storage/" + componentId
                    + "/sync?action=triggerFullSync", null);
            assertThat(button.status()).as(button.toString()).isEqualTo(200);
            assertThat(button.json().get("status").asText()).startsWith("Full sync started as operation ");
            Awaitility.await("the button's operation").atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> site.keycloak().admin("GET", realm.name + "/replica/operations", null).json(),
                            list -> list.size() == 3 && "SUCCEEDED".equals(list.get(1).path("state").asText()));
            JsonNode buttons = site.keycloak().admin("GET", realm.name + "/replica/operations", null).json().get(1);
            // Recorded with the administrator who asked, as an operation started over the replica's own API is.
            assertThat(buttons.get("requestedBy").asText()).isEqualTo(site.server().adminUsername());
            assertThat(buttons.get("reason").asText()).startsWith("Keycloak \"Sync all users\", signed in as user ").endsWith(" of realm master");
            assertThat(button.json().get("status").asText()).contains("(requested by " + site.server().adminUsername() + ")");
            assertThat(buttons.get("added").asInt() + buttons.get("updated").asInt()).as("nothing new since").isZero();
            KeycloakHttp.Response changed = site.keycloak().admin("POST", realm.name + "/user-storage/" + componentId
                    + "/sync?action=triggerChangedUsersSync", null);
            assertThat(changed.json().get("status").asText()).contains("arrive continuously");

            // An administrator of the realm itself, with manage-users only, is named too, with their id and realm.
            String managerToken = realm.localUserWithRole("manage-users");
            // admin-cli's tokens are lightweight (no username, no subject): the realm's one holder of the role is the manager.
            String realmManagement = site.keycloak().admin("GET", realm.name + "/clients?clientId=realm-management", null).json()
                    .get(0).get("id").asText();
            JsonNode managerUser = site.keycloak().admin("GET", realm.name + "/clients/" + realmManagement + "/roles/manage-users/users", null)
                    .json().get(0);
            String manager = managerUser.get("username").asText();
            String managerId = managerUser.get("id").asText();
            KeycloakHttp.Response managers = site.keycloak().withToken(managerToken, "POST", "/admin/realms/" + realm.name
                    + "/user-storage/" + componentId + "/sync?action=triggerFullSync", null);
            assertThat(managers.status()).as(managers.toString()).isEqualTo(200);
            assertThat(managers.json().get("status").asText()).contains("(requested by " + manager + ")");
            JsonNode managersOperation = awaitOperation(realm, 3);
            assertThat(managersOperation.get("requestedBy").asText()).isEqualTo(manager);
            assertThat(managersOperation.get("reason").asText())
                    .isEqualTo("Keycloak \"Sync all users\", signed in as user " + managerId + " of realm " + realm.name);

            // The component's periodic full sync, which Keycloak's timer starts without a request: named as such.
            ObjectNode component = (ObjectNode) site.keycloak().admin("GET", realm.name + "/components/" + componentId, null).json();
            ((ObjectNode) component.get("config")).putArray("fullSyncPeriod").add("2");
            assertThat(site.keycloak().admin("PUT", realm.name + "/components/" + componentId, component).status()).isEqualTo(204);
            JsonNode periodic = awaitOperation(realm, 4);
            ((ObjectNode) component.get("config")).putArray("fullSyncPeriod").add("-1");
            assertThat(site.keycloak().admin("PUT", realm.name + "/components/" + componentId, component).status()).isEqualTo(204);
            // The next periodic one may have started meanwhile: the realm goes only once none is left to run.
            Awaitility.await("no full sync left to run").atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> site.keycloak().admin("GET", realm.name + "/replica/operations", null).json(), SyncOperationsIT::noneActive);
            assertThat(periodic.get("requestedBy").asText()).isEqualTo("Keycloak periodic full sync");
            assertThat(periodic.path("reason").isNull() || periodic.path("reason").isMissingNode()).as(periodic.toString()).isTrue();
            // A word in the field is refused when the component is saved, naming the field.
            ((ObjectNode) component.get("config")).putArray("fullSyncPeriod").add("weekly");
            KeycloakHttp.Response weekly = site.keycloak().admin("PUT", realm.name + "/components/" + componentId, component);
            assertThat(weekly.status()).as(weekly.toString()).isEqualTo(400);
            assertThat(weekly.body()).contains("Periodic full sync must be a whole number of seconds, or -1 for none; was 'weekly'.");
        }
    }

    /** Whether no operation of the list waits or runs (the incremental sync first in it always runs). */
    private static boolean noneActive(JsonNode operations) {
        for (int i = 1; i < operations.size(); i++) {
            String state = operations.get(i).path("state").asText();
            if (state.equals("QUEUED") || state.equals("RUNNING")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The realm's n-th operation (counted from its first) once it has succeeded; the list shows the
     * incremental sync first, then the operations newest first.
     */
    private static JsonNode awaitOperation(TestRealm realm, int n) {
        JsonNode operations = Awaitility.await("operation number " + n).atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> realm.site.keycloak().admin("GET", realm.name + "/replica/operations", null).json(),
                        list -> list.size() > n && "SUCCEEDED".equals(list.get(list.size() - n).path("state").asText()));
        return operations.get(operations.size() - n);
    }

    @Test
    void aTargetedSyncDeprovisionsOnePersonWithinSecondsWhileTheDeltasAreFarBehind(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "targeted")) {
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            realm.replicate(upstream, TestRealm.linkSettings(10, 1));
            String leaver = UUID.randomUUID().toString();
            String leaverName = People.uniqueName("leaver");
            upstream.upsert(leaver, People.person(leaverName));
            realm.awaitUser(leaverName, u -> true);
            realm.awaitLink("CONNECTED", Duration.ofSeconds(30));

            // A backlog on the one delta partition: 10,000 new people ahead of the deletion (the replica creates about a
            // thousand users a second here; 3,000 were once all applied before the targeted sync was done).
            List<IdentityUpsert> backlog = new ArrayList<>();
            for (int i = 0; i < BACKLOG; i++) {
                String subject = UUID.randomUUID().toString();
                backlog.add(new IdentityUpsert(upstream.envelope(EventType.IDENTITY_UPSERTED, subject), Map.of(
                        "username", new VersionedValue(TextNode.valueOf("backlog-" + subject.substring(0, 13)), 1),
                        "enabled", new VersionedValue(BooleanNode.TRUE, 1))));
            }
            upstream.sendAll(backlog);
            upstream.delete(leaver);
            upstream.flush();

            Instant asked = Instant.now();
            KeycloakHttp.Response started = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "targeted", "username", leaverName, "reason", "left the company today"));
            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            assertThat(started.json().get("scope").asText()).isEqualTo("[\"" + leaver + "\"]");
            String operation = realm.name + "/replica/operations/" + started.json().get("id").asText();
            try {
                Awaitility.await(leaverName + " removed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                        .until(() -> realm.user(leaverName).isEmpty());
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(leaverName + " still there after 15 s; the operation: "
                        + site.keycloak().admin("GET", operation, null).json(), e);
            }
            Duration took = Duration.between(asked, Instant.now());
            int users = site.keycloak().admin("GET", realm.name + "/users/count", null).json().asInt();
            System.out.printf("targeted sync: %s removed %d ms after the request, with %d of %d backlog users applied%n",
                    leaverName, took.toMillis(), users, BACKLOG);
            assertThat(users).as("the deltas were still behind the deletion").isLessThan(BACKLOG);
            // The incremental sync's lag says so too, per partition, from the newest heartbeat: one sent after the
            // backlog (the upstream's heartbeat can be late on a busy machine).
            JsonNode behind = Awaitility.await("a heartbeat after the backlog").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                    .until(() -> site.keycloak().admin("GET", realm.name + "/replica/lag", null).json().get(0),
                            lag -> lag.hasNonNull("heartbeatAt") && Instant.parse(lag.get("heartbeatAt").asText()).isAfter(asked));
            assertThat(behind.get("totalLag").asLong()).as(behind.toString()).isGreaterThan(0);
            assertThat(behind.get("partitions")).extracting(p -> p.get("topic").asText()).contains(upstream.topics().identity());
            JsonNode done = realm.awaitOperationSucceeded(started.json().get("id").asText());
            assertThat(done.get("removed").asInt()).isEqualTo(1);
            assertThat(done.get("requestedBy").asText()).isEqualTo(site.server().adminUsername());
            // The deltas arrive later and find the deletion applied: nothing happens twice.
            Awaitility.await("the backlog").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> site.keycloak().admin("GET", realm.name + "/users/count", null).json().asInt() == BACKLOG);
            assertThat(realm.user(leaverName)).isEmpty();
            Awaitility.await("no lag").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                    .until(() -> site.keycloak().admin("GET", realm.name + "/replica/lag", null).json().get(0).get("totalLag").asLong() == 0);
        }
    }

    @Test
    void orphanReconciliationTouchesExactlyTheOrphansAndADryRunNothing(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "orphans")) {
            Upstream hq = realm.upstream(2);
            Upstream other = realm.upstream(1).withoutSnapshots();
            String hqComponent = realm.replicate(hq, TestRealm.linkSettings(10, 1));
            realm.replicate(other, TestRealm.linkSettings(10, 1));
            String otherComponent = componentFollowing(site, realm, other);
            // Two people the upstream still has, two it has no record of any more (their snapshot records are
            // gone: published on the deltas only), one of another federation component, one local user.
            List<String> kept = new ArrayList<>();
            List<String> orphaned = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String name = People.uniqueName(i < 2 ? "keep" : "orphan");
                if (i == 2) {
                    hq.withoutSnapshots();
                }
                hq.upsert(UUID.randomUUID().toString(), People.person(name));
                (i < 2 ? kept : orphaned).add(name);
            }
            String otherName = People.uniqueName("other");
            other.upsert(UUID.randomUUID().toString(), People.person(otherName));
            String localName = People.uniqueName("local");
            assertThat(site.keycloak().admin("POST", realm.name + "/users", Map.of("username", localName, "enabled", true)).status())
                    .isEqualTo(201);
            kept.forEach(name -> realm.awaitUser(name, u -> true));
            orphaned.forEach(name -> realm.awaitUser(name, u -> true));
            realm.awaitUser(otherName, u -> true);
            KeycloakHttp.Response severed = site.keycloak().admin("POST", realm.name + "/replica/operations", Map.of("kind", "orphans",
                    "dryRun", true, "reason", "while severed", "componentId", hqComponent));
            assertThat(severed.status()).as(severed.toString()).isEqualTo(409);
            assertThat(severed.json().get("error_description").asText()).startsWith("An orphan reconciliation reads");
            hq.startHeartbeats(Duration.ofMillis(500));
            other.startHeartbeats(Duration.ofMillis(500));
            realm.awaitLinkReachable();

            JsonNode dryRun = realm.runOperation(Map.of("kind", "orphans", "dryRun", true, "reason", "what would go?",
                    "componentId", hqComponent));
            assertThat(dryRun.at("/result/orphans").asInt()).as(dryRun.toString()).isEqualTo(2);
            assertThat(dryRun.at("/result/listed")).extracting(o -> o.get("username").asText()).containsExactlyInAnyOrderElementsOf(orphaned);
            assertThat(dryRun.get("updated").asInt() + dryRun.get("removed").asInt()).isZero();
            assertEveryone(realm, kept, orphaned, otherName, localName, true);

            // Two requests with one idempotency key at the same moment (a retrying client, two operators'
            // scripts): one operation, both told about it, one 202 and one 200, never an error.
            for (int round = 0; round < 6; round++) {
                Map<String, Object> request = Map.of("kind", "orphans", "dryRun", true, "reason", "race " + round,
                        "componentId", hqComponent, "idempotencyKey", "race-" + round + "-" + realm.name);
                CompletableFuture<KeycloakHttp.Response> a = CompletableFuture.supplyAsync(
                        () -> site.keycloak().admin("POST", realm.name + "/replica/operations", request));
                CompletableFuture<KeycloakHttp.Response> b = CompletableFuture.supplyAsync(
                        () -> site.keycloak().admin("POST", realm.name + "/replica/operations", request));
                KeycloakHttp.Response first = a.join();
                KeycloakHttp.Response second = b.join();
                assertThat(List.of(first.status(), second.status())).as(first + " / " + second).containsExactlyInAnyOrder(202, 200);
                assertThat(first.json().get("id").asText()).isEqualTo(second.json().get("id").asText());
            }

            JsonNode disabled = realm.runOperation(Map.of("kind", "orphans", "reason", "HQ dropped them", "componentId", hqComponent));
            assertThat(disabled.get("updated").asInt()).as(disabled.toString()).isEqualTo(2);
            assertThat(disabled.at("/result/action").asText()).isEqualTo("disable");
            orphaned.forEach(name -> assertThat(realm.user(name).orElseThrow().get("enabled").asBoolean()).as(name).isFalse());
            assertEveryoneBut(realm, kept, otherName, localName);

            JsonNode removed = realm.runOperation(Map.of("kind", "orphans", "action", "remove", "reason", "HQ dropped them",
                    "componentId", hqComponent));
            assertThat(removed.get("removed").asInt()).as(removed.toString()).isEqualTo(2);
            orphaned.forEach(name -> assertThat(realm.user(name)).as(name).isEmpty());
            assertEveryoneBut(realm, kept, otherName, localName);

            // The other component's snapshot topics are empty: an empty read proves nobody an orphan.
            KeycloakHttp.Response refused = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "orphans", "action", "remove", "reason", "try it", "componentId", otherComponent));
            String id = refused.json().get("id").asText();
            JsonNode waiting = Awaitility.await("the failed attempt").atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(300))
                    .until(() -> site.keycloak().admin("GET", realm.name + "/replica/operations/" + id, null).json(),
                            o -> o.hasNonNull("lastError"));
            assertThat(waiting.get("lastError").asText()).contains("an empty read proves nobody an orphan; nothing was done");
            assertThat(waiting.get("state").asText()).isIn("QUEUED", "FAILED");
            assertEveryoneBut(realm, kept, otherName, localName);
        }
    }

    private static void assertEveryone(TestRealm realm, List<String> kept, List<String> orphaned, String otherName, String localName,
                                       boolean enabled) {
        orphaned.forEach(name -> assertThat(realm.user(name).orElseThrow().get("enabled").asBoolean()).as(name).isEqualTo(enabled));
        assertEveryoneBut(realm, kept, otherName, localName);
    }

    /** The users an orphan reconciliation of the first component must not touch: there, and enabled. */
    private static void assertEveryoneBut(TestRealm realm, List<String> kept, String otherName, String localName) {
        for (String name : concat(kept, List.of(otherName, localName))) {
            assertThat(realm.user(name)).as(name).hasValueSatisfying(u -> assertThat(u.get("enabled").asBoolean()).as(name).isTrue());
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String componentFollowing(ReplicaSite site, TestRealm realm, Upstream upstream) {
        for (JsonNode component : site.keycloak().admin("GET", realm.name + "/components?type=org.keycloak.storage.UserStorageProvider", null)
                .json()) {
            if (upstream.topics().prefix().equals(component.at("/config/topicPrefix/0").asText())) {
                return component.get("id").asText();
            }
        }
        throw new AssertionError("no component follows " + upstream.topics().prefix());
    }

    @Test
    void readingNeedsViewUsersAndStartingNeedsManageUsers(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "opsauth"); TestRealm other = new TestRealm(site, "opsother")) {
            realm.replicate(realm.upstream(1), Map.of());
            String viewer = realm.localUserWithRole("view-users");
            String outsider = other.localUserWithRole("manage-users");
            String path = "/admin/realms/" + realm.name + "/replica/operations";
            Map<String, String> body = Map.of("kind", "full", "reason", "permissions test");

            KeycloakHttp.Response asViewer = site.keycloak().withToken(viewer, "GET", path, null);
            assertThat(asViewer.status()).as(asViewer.toString()).isEqualTo(200);
            assertThat(site.keycloak().withToken(viewer, "POST", path, body).status()).isEqualTo(403);
            assertThat(site.keycloak().withToken(outsider, "GET", path, null).status()).isIn(401, 403);
            assertThat(site.keycloak().withToken(outsider, "POST", path, body).status()).isIn(401, 403);
            assertThat(site.keycloak().withToken(null, "GET", path, null).status()).isEqualTo(401);
            assertThat(site.keycloak().withToken(null, "POST", path, body).status()).isEqualTo(401);

            KeycloakHttp.Response noReason = site.keycloak().admin("POST", realm.name + "/replica/operations", Map.of("kind", "full"));
            assertThat(noReason.status()).isEqualTo(400);
            assertThat(noReason.json().get("error_description").asText()).contains("A reason is required");
            KeycloakHttp.Response badKind = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "merge", "reason", "x"));
            assertThat(badKind.status()).isEqualTo(400);
            assertThat(badKind.json().get("error_description").asText()).contains("Unknown operation kind 'merge'");
            assertThat(site.keycloak().admin("GET", realm.name + "/replica/operations/" + UUID.randomUUID(), null).status()).isEqualTo(404);
            KeycloakHttp.Response nobody = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "targeted", "username", "nobody-here", "reason", "x"));
            assertThat(nobody.status()).isEqualTo(400);
            assertThat(nobody.json().get("error_description").asText()).contains("has the username 'nobody-here'");
            // This realm's upstream sends no heartbeats: the link is SEVERED, and a targeted sync is refused, not queued.
            KeycloakHttp.Response severed = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "targeted", "subjects", List.of(UUID.randomUUID().toString()), "reason", "x"));
            assertThat(severed.status()).as(severed.toString()).isEqualTo(409);
            assertThat(severed.json().get("error").asText()).isEqualTo("replica_link_down");
            assertThat(severed.json().get("error_description").asText()).contains("Nothing was queued");
        }
    }
}
