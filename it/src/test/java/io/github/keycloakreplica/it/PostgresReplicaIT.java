package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica on PostgreSQL, the database a real site runs: our tables come from the same Liquibase
 * changelog, users and positions survive a Keycloak crash, a database outage only delays applying, and
 * two Keycloak nodes of one site sharing the database agree on one link state.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresReplicaIT {

    private static ReplicaSite site;

    @BeforeAll
    static void start() {
        site = ReplicaSite.startOnPostgres();
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

    @Test
    @Order(2)
    void replicatesSurvivesACrashAndWaitsOutADatabaseOutage() throws Exception {
        String subject = UUID.randomUUID().toString();
        String username = ReplicationIT.uniqueName("pg");
        site.upstream().upsert(subject, ReplicationIT.person(username));
        site.upstream().password(subject, "pw-" + subject, "postgres password");
        site.upstream().sendRaw(site.upstream().topics().identity(), subject, "not json".getBytes(StandardCharsets.UTF_8));
        site.awaitUser(username, u -> true);
        ReplicationIT.awaitToken(site, username, "postgres password");
        JsonNode letter = site.awaitDeadLetter(d -> subject.equals(d.path("key").asText()));
        assertThat(letter.get("payload").asText()).isEqualTo("not json");

        site.server().kill();
        site.server().start();
        JsonNode user = site.user(username).orElseThrow();
        assertThat(user.get("id").asText()).isEqualTo(subject);
        ReplicationIT.awaitToken(site, username, "postgres password");
        site.upstream().upsert(subject, Map.of("firstName", "After-crash"));
        site.awaitUser(username, u -> "After-crash".equals(u.path("firstName").asText()));

        // The database goes away; sign-in is not this test's subject, applying is: it waits and resumes.
        site.stack().postgres().stop();
        site.upstream().upsert(subject, Map.of("lastName", "During-outage"));
        site.stack().postgres().start();
        // Keycloak's own requests may fail once on a pooled connection the restart closed.
        Awaitility.await("Keycloak serves admin requests again").atMost(ReplicaSite.APPLY_TIMEOUT).ignoreExceptions()
                .until(() -> site.keycloak().admin("GET", REALM, null).status() == 200);
        site.awaitUser(username, u -> "During-outage".equals(u.path("lastName").asText()));

        JsonNode replicated = site.keycloak().admin("GET", REALM + "/replica/subjects/" + subject, null).json();
        assertThat(replicated.get(0).at("/attributes/firstName/version").asLong()).isEqualTo(2);
        assertThat(replicated.get(0).at("/attributes/lastName/version").asLong()).isEqualTo(2);

        // A graceful shutdown stops the consumer with the server.
        site.server().stop();
        assertThat(Files.readString(site.server().logFile())).contains("replica 'upstream' of realm 'acme': stopped");
    }
}
