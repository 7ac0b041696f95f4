package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.LocalOpenLdap;
import io.github.keycloakreplica.stack.LocalPostgres;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A full sync of N subjects, each with a password, into an empty replica realm on PostgreSQL, beside
 * Keycloak's own LDAP federation "Sync all users" of N users from a real OpenLDAP into another realm of
 * the same Keycloak on the same database, in the same run. Prints its figures; asserts nothing but that
 * both really imported everyone and that replicated people sign in.
 *
 * <p>The LDAP sync runs first, so the replica's sync writes into tables that already hold its N users:
 * if anything, the order is against the replica.
 */
public final class FullSyncBenchmark {

    private static final int SUBJECTS = Integer.getInteger("bench.fullSync.subjects", 100_000);
    private static final boolean LDAP = Boolean.parseBoolean(System.getProperty("bench.fullSync.ldap", "true"));
    private static final String KEYCLOAK_JVM_OPTIONS = System.getProperty("bench.keycloakJvmOptions", "");
    private static final String PASSWORD = "bench-password-1";
    private static final Duration MAX_SYNC = Duration.ofMinutes(30);
    /**
     * The PostgreSQL driver's multi-row inserts, as README recommends for a replica site's database URL.
     * {@code -Dreplica.stack.postgres.jdbcProperties=} (empty) runs without.
     */
    private static final String RECOMMENDED_JDBC_PROPERTIES = "reWriteBatchedInserts=true";

    private FullSyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (LDAP && !LocalOpenLdap.available()) {
            System.err.println("The LDAP baseline needs OpenLDAP's slapd and slapadd: " + LocalOpenLdap.INSTALL_HINT
                    + "; or run with -Dbench.fullSync.ldap=false for the replica's figure alone.");
            System.exit(2);
        }
        if (System.getProperty(LocalPostgres.JDBC_PROPERTIES_PROPERTY) == null) {
            System.setProperty(LocalPostgres.JDBC_PROPERTIES_PROPERTY, RECOMMENDED_JDBC_PROPERTIES);
        }
        String jdbcProperties = System.getProperty(LocalPostgres.JDBC_PROPERTIES_PROPERTY).trim();
        Upstream[] upstream = new Upstream[1];
        try (Stack stack = Stack.builder().postgres().keycloak(broker -> {
                    upstream[0] = new Upstream(broker.bootstrapServers(), "acme", "bench://authority");
                    upstream[0].createTopics(broker, 6);
                    return KeycloakServerSpec.builder("bench-full-sync")
                            .realmImport(StackArtifacts.load().realmFile("acme-realm.json"))
                            .env("REPLICA_CONSUMER_GROUP", "bench")
                            .env("JAVA_OPTS_APPEND", KEYCLOAK_JVM_OPTIONS)
                            .build();
                })
                .start()) {
            KeycloakServer server = stack.keycloak("bench-full-sync");
            KeycloakHttp http = new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
            awaitEmptyBootstrap(http);
            List<String> subjects = publishSnapshots(upstream[0]);
            // Sync operations are refused while the link is SEVERED: the upstream's heartbeats open it.
            upstream[0].startHeartbeats(Duration.ofSeconds(1));
            awaitLinkReachable(http);
            int before = Integer.parseInt(http.admin("GET", "acme/users/count", null).body().trim());
            if (before != 0) {
                throw new IllegalStateException("the replica realm holds " + before + " users before the full sync; it must start empty");
            }

            LdapSyncBaseline.Result ldap = null;
            if (LDAP) {
                Path dir = Files.createDirectories(stack.workDir().resolve("openldap"));
                try (LocalOpenLdap directory = LocalOpenLdap.load(dir, SUBJECTS)) {
                    ldap = LdapSyncBaseline.run(http, directory, "ldap-baseline", SUBJECTS);
                }
            }
            double replica = replicaFullSync(http, subjects).seconds();
            // Again, with nothing new: a sync compares every user with its ledger (and puts right what drifted).
            Sync again = replicaFullSync(http, subjects);
            if (again.operation().get("added").asInt() != 0 || again.operation().get("updated").asInt() != 0) {
                throw new IllegalStateException("a second full sync with nothing new changed users: " + again.operation());
            }
            upstream[0].close();

            System.out.printf("%n==== full sync of %,d subjects on PostgreSQL (Keycloak 26.7.3, same server, same database) ====%n", SUBJECTS);
            System.out.printf("PostgreSQL driver properties of Keycloak's database URL: %s%n", jdbcProperties.isEmpty() ? "none" : jdbcProperties);
            System.out.printf("replica full sync, with a password each:   %7.1f s   %,8.0f subjects/s%n", replica, SUBJECTS / replica);
            System.out.printf("replica full sync again, nothing new:      %7.1f s   %,8.0f subjects/s (every user compared with its ledger)%n",
                    again.seconds(), SUBJECTS / again.seconds());
            if (ldap != null) {
                System.out.printf("Keycloak LDAP \"Sync all users\", no passwords: %7.1f s   %,8.0f users/s   (HTTP %d after %.1f s)%n",
                        ldap.secondsToAllImported(), ldap.imported() / ldap.secondsToAllImported(), ldap.httpStatus(),
                        ldap.secondsToHttpAnswer());
                System.out.printf("LDAP time / replica time: %.1fx%n", ldap.secondsToAllImported() / replica);
            }
        }
        System.exit(0);
    }

    /**
     * Waits until the replica component has bootstrapped from the (still empty) snapshot topics and stored
     * its delta positions: from then on only a full sync reads the snapshot topics.
     */
    private static void awaitEmptyBootstrap(KeycloakHttp http) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode lag = http.admin("GET", "acme/replica/lag", null).json();
            if (lag.size() == 1 && lag.get(0).get("partitions").size() > 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the replica component stored no delta positions within 2 minutes of the server's start");
    }

    private static void awaitLinkReachable(KeycloakHttp http) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            JsonNode links = http.admin("GET", "acme/replica/link", null).json();
            if (links.size() > 0 && !"SEVERED".equals(links.get(0).path("state").asText()) && links.get(0).hasNonNull("state")) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the replica's link stayed SEVERED for 2 minutes although heartbeats are sent");
    }

    /**
     * Publishes what an authority's snapshot topics hold for N people: the identity (with a realm role, a
     * group and an attribute) and a password each. Only the snapshot records, so the replica's delta
     * consumer has nothing to do and the full sync alone brings everyone in. One PBKDF2 hash serves
     * everyone: computing 100,000 at Keycloak's 210,000 iterations would take hours, and the replica
     * stores a hash the same whichever it is.
     */
    private static List<String> publishSnapshots(Upstream upstream) {
        long start = System.nanoTime();
        KeycloakCredentials.Stored password = KeycloakCredentials.password(PASSWORD);
        List<String> subjects = new ArrayList<>(SUBJECTS);
        for (int i = 0; i < SUBJECTS; i++) {
            String subject = UUID.randomUUID().toString();
            subjects.add(subject);
            Map<String, Object> identity = new LinkedHashMap<>();
            identity.put("username", "person-" + i);
            identity.put("email", "person-" + i + "@example.com");
            identity.put("firstName", "First");
            identity.put("lastName", "Last-" + i);
            identity.put("enabled", true);
            identity.put("realmRoles", List.of("operator"));
            identity.put("groups", List.of("/site-a/ops"));
            identity.put("department", "d" + (i % 50));
            upstream.upsertEvent(subject, identity);
            upstream.credentialEvent(subject, "pw-" + i, "password", password, null);
        }
        upstream.flush();
        System.out.printf("published %,d identity and %,d credential snapshot records in %.1f s%n", SUBJECTS, SUBJECTS,
                (System.nanoTime() - start) / 1e9);
        return subjects;
    }

    /** A full sync that ended: seconds from the request to its end, and the operation as admin REST shows it. */
    private record Sync(double seconds, JsonNode operation) {
    }

    /** Starts a full sync through the admin REST API and waits for it. */
    private static Sync replicaFullSync(KeycloakHttp http, List<String> subjects) throws InterruptedException {
        long start = System.nanoTime();
        KeycloakHttp.Response started = http.admin("POST", "acme/replica/operations",
                Map.of("kind", "full", "reason", "benchmark: full sync of " + SUBJECTS + " subjects"));
        if (started.status() != 202 && started.status() != 200) {
            throw new IllegalStateException("starting the full sync: " + started);
        }
        String id = started.json().get("id").asText();
        System.out.printf("replica: full sync %s answered HTTP %d after %.2f s%n", id, started.status(), (System.nanoTime() - start) / 1e9);
        JsonNode operation;
        long lastReport = start;
        while (true) {
            Thread.sleep(1000);
            operation = http.admin("GET", "acme/replica/operations/" + id, null).json();
            String state = operation.get("state").asText();
            if ("SUCCEEDED".equals(state) || "FAILED".equals(state)) {
                break;
            }
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                lastReport = System.nanoTime();
                System.out.printf("  replica: %s, %,d of %,d subjects after %.0f s%n", state, operation.get("processed").asInt(), SUBJECTS,
                        (lastReport - start) / 1e9);
            }
            if (System.nanoTime() - start > MAX_SYNC.toNanos()) {
                throw new IllegalStateException("the full sync did not end in " + MAX_SYNC + ": " + operation);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("replica: full sync %s in %.1f s: %s%n", operation.get("state").asText(), seconds, operation);
        if (!"SUCCEEDED".equals(operation.get("state").asText())) {
            throw new IllegalStateException("the full sync failed: " + operation);
        }
        int users = Integer.parseInt(http.admin("GET", "acme/users/count", null).body().trim());
        if (users < SUBJECTS) {
            throw new IllegalStateException("the replica realm holds " + users + " users after the full sync of " + SUBJECTS);
        }
        Random random = new Random();
        for (int n = 0; n < 5; n++) {
            int i = random.nextInt(SUBJECTS);
            KeycloakHttp.Response token = http.passwordGrant("acme", "replica-confidential", "replica-secret", "person-" + i, PASSWORD);
            if (token.status() != 200) {
                throw new IllegalStateException("person-" + i + " (" + subjects.get(i) + ") cannot sign in after the full sync: " + token);
            }
        }
        System.out.printf("replica: %,d users in the realm; 5 people picked at random signed in with their replicated password%n", users);
        return new Sync(seconds, operation);
    }
}
