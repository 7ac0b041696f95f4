package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica on PostgreSQL, the database a real site runs: our tables come from the same Liquibase
 * changelog, users and positions survive a Keycloak crash, and a database outage only delays applying.
 */
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
