package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.LocalPostgres;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.StreamEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica on PostgreSQL, the database a real site runs: our tables come from the same Liquibase
 * changelog, users and positions survive a Keycloak crash, a database outage only delays applying, two
 * Keycloak nodes of one site sharing the database agree on one link state, a username that moves between
 * subjects across partitions is never lost, and a user that drifted from its ledger is put right.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresReplicaIT {

    private static ReplicaSite site;

    @BeforeAll
    static void start() {
        site = ReplicaSite.startOnPostgres();
    }

    @AfterEach
    void noBatchFellBack() {
        if (site != null) {
            site.assertApplyEngineHealthy();
        }
    }

    @AfterAll
    static void stop() {
        if (site != null) {
            site.close();
        }
    }

    @Test
    @Order(1)
    void twoNodesOfOneSiteSharingTheDatabaseAgreeOnOneLinkState() throws Exception {
        // Short settings, saved before the second node starts: without a cluster cache (start-dev), a node
        // reads a component's settings from the database when it starts.
        JsonNode component = site.keycloak().admin("GET", REALM + "/components?type=org.keycloak.storage.UserStorageProvider", null).json().get(0);
        ObjectNode config = (ObjectNode) component.get("config");
        config.putArray("severanceThresholdSeconds").add("3");
        config.putArray("stabilizationWindowSeconds").add("3");
        KeycloakHttp.Response saved = site.keycloak().admin("PUT", REALM + "/components/" + component.get("id").asText(), component);
        assertThat(saved.status()).as(saved.toString()).isEqualTo(204);
        KeycloakServer second = site.stack().startNode("replica", "replica-node-2");
        KeycloakHttp secondHttp = new KeycloakHttp(second.baseUrl(), second.adminUsername(), second.adminPassword());
        List<KeycloakHttp> nodes = List.of(site.keycloak(), secondHttp);
        try {
            site.upstream().startHeartbeats(Duration.ofMillis(500));
            awaitOnEveryNode(nodes, "CONNECTED", Duration.ofSeconds(40));

            long cut = System.currentTimeMillis();
            site.upstream().stopHeartbeats();
            awaitOnEveryNode(nodes, "SEVERED", Duration.ofSeconds(15));
            JsonNode first = link(site.keycloak());
            JsonNode other = link(secondHttp);
            // One record, one history: both nodes watch the heartbeats, and each decides under the record's row lock.
            assertThat(other.get("since").asText()).isEqualTo(first.get("since").asText());
            assertThat(other.get("cause").asText()).isEqualTo(first.get("cause").asText());
            assertThat(other.get("history")).isEqualTo(first.get("history"));
            List<String> cuts = new ArrayList<>();
            first.get("history").forEach(t -> {
                if (Instant.parse(t.get("at").asText()).toEpochMilli() >= cut) {
                    cuts.add(t.path("from").asText() + "->" + t.get("to").asText());
                }
            });
            assertThat(cuts).as("transitions after the cut, both nodes watching").containsExactly("CONNECTED->SEVERED");

            // Either node decides: with the first one down, the second alone sees the next cut.
            site.upstream().startHeartbeats(Duration.ofMillis(500));
            awaitOnEveryNode(nodes, "CONNECTED", Duration.ofSeconds(40));
            site.server().stop();
            site.upstream().stopHeartbeats();
            awaitOnEveryNode(List.of(secondHttp), "SEVERED", Duration.ofSeconds(15));
            assertThat(Files.readString(second.logFile())).contains("link CONNECTED -> SEVERED");
        } finally {
            site.upstream().stopHeartbeats();
            second.stop();
            if (!site.server().isRunning()) {
                site.server().start();
            }
        }
        assertThat(link(site.keycloak()).path("state").asText()).isEqualTo("SEVERED");
    }

    private static JsonNode link(KeycloakHttp node) {
        KeycloakHttp.Response r = node.admin("GET", REALM + "/replica/link", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get(0);
    }

    private static void awaitOnEveryNode(List<KeycloakHttp> nodes, String state, Duration within) {
        for (KeycloakHttp node : nodes) {
            Awaitility.await("link " + state + " at node " + (nodes.indexOf(node) + 1)).atMost(within).pollInterval(Duration.ofMillis(200))
                    .until(() -> state.equals(link(node).path("state").asText()));
        }
    }

    /**
     * The upstream renames A and gives B A's old name; on different partitions, B's event can arrive first.
     * B waits for A to let go of the name (listed with the gaps, never dead-lettered) and has it the moment
     * A's rename or deletion applies, or, when that change was lost, once the gap timeout repairs both from
     * the snapshot topics.
     */
    @Test
    @Order(2)
    void aUsernameMovedAcrossPartitionsWaitsForItsHolder() {
        try (TestRealm realm = new TestRealm(site, "move")) {
            Upstream upstream = realm.upstream(3);
            realm.replicate(upstream, Map.of("gapTimeoutSeconds", "3"));

            // The holder's rename arrives after the reuse.
            String[] pair = onTwoPartitions(upstream);
            String holder = pair[0];
            String taker = pair[1];
            String name = People.uniqueName("moved");
            upstream.upsert(holder, Map.of("username", name, "enabled", true));
            realm.awaitUser(name, u -> holder.equals(u.get("id").asText()));
            StreamEvent rename = upstream.upsertEvent(holder, Map.of("username", name + "-renamed"));
            upstream.send(upstream.upsertEvent(taker, Map.of("username", name, "enabled", true, "firstName", "Taker")));
            upstream.password(taker, "pw-" + taker, "taker's password");
            JsonNode waiting = Awaitility.await("the taker waits").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> openGap(realm, taker), Objects::nonNull);
            assertThat(waiting.get("waitingForUsername").asText()).isEqualTo(name);
            assertThat(waiting.get("usernameHeldBy").asText()).isEqualTo(holder);
            assertThat(realm.user(name).orElseThrow().get("id").asText()).isEqualTo(holder);
            upstream.send(rename);
            realm.awaitUser(name, u -> taker.equals(u.get("id").asText()) && "Taker".equals(u.path("firstName").asText()));
            realm.awaitUser(name + "-renamed", u -> holder.equals(u.get("id").asText()));
            realm.awaitGrant(name, "taker's password", 200);
            assertThat(realm.subject(taker).orElseThrow().get("eventLog").toString())
                    .contains("username '" + name + "' waits for subject " + holder)
                    .contains("username '" + name + "' is free now");

            // The holder's rename is lost: both are repaired from the snapshot topics after the gap timeout.
            String[] lost = onTwoPartitions(upstream);
            String lostName = People.uniqueName("lost");
            upstream.upsert(lost[0], Map.of("username", lostName, "enabled", true));
            realm.awaitUser(lostName, u -> lost[0].equals(u.get("id").asText()));
            upstream.upsertEvent(lost[0], Map.of("username", lostName + "-renamed"));
            upstream.send(upstream.upsertEvent(lost[1], Map.of("username", lostName, "enabled", true)));
            realm.awaitUser(lostName, u -> lost[1].equals(u.get("id").asText()));
            realm.awaitUser(lostName + "-renamed", u -> lost[0].equals(u.get("id").asText()));

            // The holder is deleted, after the reuse arrived.
            String[] gone = onTwoPartitions(upstream);
            String goneName = People.uniqueName("gone");
            upstream.upsert(gone[0], Map.of("username", goneName, "enabled", true));
            realm.awaitUser(goneName, u -> gone[0].equals(u.get("id").asText()));
            StreamEvent deletion = upstream.deleteEvent(gone[0]);
            upstream.send(upstream.upsertEvent(gone[1], Map.of("username", goneName, "enabled", true)));
            Awaitility.await("the taker waits").atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> openGap(realm, gone[1]), Objects::nonNull);
            upstream.send(deletion);
            realm.awaitUser(goneName, u -> gone[1].equals(u.get("id").asText()));

            assertThat(realm.deadLetterCount()).isZero();
            Awaitility.await("no subject waits").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> site.keycloak().admin("GET", realm.name + "/replica/gaps", null).json().get("total").asLong() == 0);
        }
    }

    /**
     * A user whose Keycloak rows drifted from its ledger (as a defect, or a hand in the database, can
     * leave it: no password, a role gone, a name changed) is put right by a targeted sync, which compares
     * the user with the ledger, not only the ledger with the snapshot.
     */
    @Test
    @Order(3)
    void aTargetedSyncPutsRightAUserThatDriftedFromItsLedger() throws Exception {
        try (TestRealm realm = new TestRealm(site, "drift")) {
            realm.createRoles("drift-role");
            // A targeted sync reads the snapshot topics, so it needs the link CONNECTED.
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            realm.replicate(upstream, TestRealm.linkSettings(3, 1));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("drift");
            upstream.upsert(subject, Map.of("username", username, "enabled", true, "firstName", "Dana", "realmRoles", List.of("drift-role"),
                    "department", "ops"));
            upstream.password(subject, "pw-" + subject, "dana's password");
            realm.awaitGrant(username, "dana's password", 200);

            try (Connection db = DriverManager.getConnection(site.stack().postgres().jdbcUrl("replica"), LocalPostgres.USER, LocalPostgres.PASSWORD)) {
                for (String sql : List.of("delete from credential where user_id = ?", "delete from user_role_mapping where user_id = ?",
                        "update user_entity set first_name = 'Drifted' where id = ?",
                        "delete from user_attribute where user_id = ? and name = 'department'")) {
                    try (PreparedStatement statement = db.prepareStatement(sql)) {
                        statement.setString(1, subject);
                        assertThat(statement.executeUpdate()).as(sql).isPositive();
                    }
                }
            }
            realm.assertGrantRefused(username, "dana's password");
            realm.awaitLink("CONNECTED", Duration.ofSeconds(30));

            KeycloakHttp.Response started = site.keycloak().admin("POST", realm.name + "/replica/operations",
                    Map.of("kind", "targeted", "subjects", List.of(subject), "reason", "the user drifted"));
            assertThat(started.status()).as(started.toString()).isEqualTo(202);
            JsonNode done = realm.awaitOperationSucceeded(started.json().get("id").asText());
            assertThat(done.get("updated").asInt()).isEqualTo(1);
            realm.awaitGrant(username, "dana's password", 200);
            JsonNode user = realm.user(username).orElseThrow();
            assertThat(user.get("firstName").asText()).isEqualTo("Dana");
            assertThat(user.at("/attributes/department/0").asText()).isEqualTo("ops");
            assertThat(People.names(site.keycloak().admin("GET", realm.name + "/users/" + subject + "/role-mappings/realm", null).json(),
                    "name")).contains("drift-role");
            assertThat(realm.subject(subject).orElseThrow().get("eventLog").toString()).contains("Keycloak's user differed from the ledger in");
        }
    }

    /** Two subjects whose events go to different partitions of the upstream's topics. */
    private static String[] onTwoPartitions(Upstream upstream) {
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        while (upstream.partitionOf(second) == upstream.partitionOf(first)) {
            second = UUID.randomUUID().toString();
        }
        return new String[]{first, second};
    }

    /** The realm's open-gap entry of a subject, or null. */
    private static JsonNode openGap(TestRealm realm, String subject) {
        for (JsonNode item : site.keycloak().admin("GET", realm.name + "/replica/gaps", null).json().get("items")) {
            if (subject.equals(item.get("subject").asText())) {
                return item;
            }
        }
        return null;
    }

    @Test
    @Order(4)
    void noMalformedRecordStopsTheSiteOrLeaksASecretOnPostgres() {
        int kinds = new PoisonCorpus(site).run();
        System.out.printf("poison corpus: %d malformed kinds dead-lettered on PostgreSQL, every valid event after them applied%n", kinds);
    }

    @Test
    @Order(5)
    void replicatesSurvivesACrashAndWaitsOutADatabaseOutage() throws Exception {
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("pg");
        site.upstream().upsert(subject, People.person(username));
        site.upstream().password(subject, "pw-" + subject, "postgres password");
        site.upstream().sendRaw(site.upstream().topics().identity(), subject, "not json".getBytes(StandardCharsets.UTF_8));
        site.awaitUser(username, u -> true);
        site.awaitToken(REALM, username, "postgres password");
        JsonNode letter = site.awaitDeadLetter(d -> subject.equals(d.path("key").asText()));
        assertThat(letter.get("payload").asText()).isEqualTo("not json");

        site.server().kill();
        site.server().start();
        JsonNode user = site.user(username).orElseThrow();
        assertThat(user.get("id").asText()).isEqualTo(subject);
        site.awaitToken(REALM, username, "postgres password");
        site.upstream().upsert(subject, Map.of("firstName", "After-crash"));
        site.awaitUser(username, u -> "After-crash".equals(u.path("firstName").asText()));

        // The database goes away for 30 s; sign-in is not this test's subject, applying is: it is a stall, visible
        // while it lasts, waited out with nothing dead-lettered, and applying resumes.
        long lettersBefore = site.keycloak().admin("GET", REALM + "/replica/dead-letters?max=1", null).json().get("total").asLong();
        site.stack().postgres().stop();
        Instant stopped = Instant.now();
        site.upstream().upsert(subject, Map.of("lastName", "During-outage"));
        double stalled = Awaitility.await("the stall on the metrics").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(500))
                .until(() -> stalledSeconds(site), seconds -> seconds > 0);
        Thread.sleep(Math.max(0, Duration.ofSeconds(30).minus(Duration.between(stopped, Instant.now())).toMillis()));
        assertThat(stalledSeconds(site)).as("the stall gauge grows while the database is away").isGreaterThan(stalled);
        site.stack().postgres().start();
        // Keycloak's own requests may fail once on a pooled connection the restart closed.
        Awaitility.await("Keycloak serves admin requests again").atMost(ReplicaSite.APPLY_TIMEOUT).ignoreExceptions()
                .until(() -> site.keycloak().admin("GET", REALM, null).status() == 200);
        site.awaitUser(username, u -> "During-outage".equals(u.path("lastName").asText()));

        Awaitility.await("the stall over").atMost(Duration.ofSeconds(10)).until(() -> stalledSeconds(site) == 0);
        assertThat(site.keycloak().admin("GET", REALM + "/replica/dead-letters?max=1", null).json().get("total").asLong())
                .as("dead letters after the outage").isEqualTo(lettersBefore);
        String log = Files.readString(site.server().logFile());
        assertThat(log).contains("apply stalled since").contains("apply resumed after a stall of");
        assertThat(log).doesNotContain("this is not a failure of the infrastructure");

        JsonNode replicated = site.keycloak().admin("GET", REALM + "/replica/subjects/" + subject, null).json();
        assertThat(replicated.get(0).at("/attributes/firstName/version").asLong()).isEqualTo(2);
        assertThat(replicated.get(0).at("/attributes/lastName/version").asLong()).isEqualTo(2);

        // A graceful shutdown stops the consumer with the server.
        site.server().stop();
        assertThat(Files.readString(site.server().logFile())).contains("replica 'upstream' of realm 'acme': stopped");
    }

    /** The acme component's stall gauge, from the management interface (which needs no database). */
    private static double stalledSeconds(ReplicaSite site) throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(site.server().managementUrl() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^keycloak_replica_apply_stalled_seconds\\{([^}]*realm=\"acme\"[^}]*)} (\\S+)$")
                .matcher(metrics);
        assertThat(m.find()).as("the stall gauge of acme").isTrue();
        return Double.parseDouble(m.group(2));
    }
}
