package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.LogTail;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stream.Topics;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.keycloakreplica.it.PrimarySite.CLIENT_SECRET;
import static io.github.keycloakreplica.it.PrimarySite.CONFIDENTIAL_CLIENT;
import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.TOPIC_PREFIX;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static io.github.keycloakreplica.it.PrimarySite.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "a new replica bootstrapped from the snapshot topics alone equals the primary": a burst of
 * changes at the primary (people created with passwords, attributes, roles, groups and one OTP, then changed,
 * disabled, given new passwords, deleted), every record of the delta topics deleted once the publisher has
 * nothing waiting, and then a replica that never ran before, with a consumer group and a database of its
 * own, holds every person of the primary realm as the primary's admin REST shows them, and every password
 * signs in there.
 */
@ExtendWith(PrimaryStack.class)
class SnapshotBootstrapIT {

    private static final int PEOPLE = 30;
    private static final Set<Integer> DELETED = Set.of(7, 17, 27);
    private static final Duration DRAIN = Duration.ofSeconds(60);
    /** Start, bootstrap and comparison of a new Keycloak on a busy 2-core machine. */
    private static final Duration BOOTSTRAP = Duration.ofSeconds(120);
    private static final String NEW_REPLICA = "replica-bootstrapped";

    @Test
    void aNewReplicaBootstrappedFromTheSnapshotTopicsAloneEqualsThePrimary(PrimarySite site) {
        Burst burst = burst(site);
        awaitNothingWaitingAtThePrimary(site);
        // The running replica first takes every delta, so deleting them takes nothing from it (and the
        // other test classes sharing it).
        Awaitility.await("the shared replica holds the burst as the primary does")
                .atMost(PROPAGATION.multipliedBy(3))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> RealmPeople.of(site.replica(), burst.all()).equals(RealmPeople.of(site.primary(), burst.all())));

        Topics topics = new Topics(TOPIC_PREFIX);
        String brokers = site.stack().broker().bootstrapServers();
        Map<String, Long> deleted = DeltaTopics.deleteEverything(brokers, topics.deltas());
        assertThat(deleted.values().stream().mapToLong(Long::longValue).sum()).as("records deleted from the delta topics: " + deleted)
                .isGreaterThan(0);
        assertThat(DeltaTopics.recordsLeft(brokers, topics.deltas())).as("records left on the delta topics").isZero();

        KeycloakServer server = site.stack().startKeycloak(KeycloakServerSpec.builder(NEW_REPLICA)
                .realmImport(StackArtifacts.load().realmFile("acme-realm.json"))
                .env("REPLICA_TOPIC_PREFIX", TOPIC_PREFIX)
                .env("REPLICA_CONSUMER_GROUP", "it-snapshot-bootstrap")
                .option("log-level", "INFO,io.github.keycloakreplica:DEBUG")
                .build());
        try {
            KeycloakHttp fresh = new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
            awaitEqual(site, fresh, server);
            burst.assertHeldBy(RealmPeople.all(fresh));
            assertBootstrappedFromSnapshots(server, burst);
            assertThat(DeltaTopics.keys(brokers, topics.deltas())).as("delta records of the burst's people").doesNotContainAnyElementsOf(
                    burst.all());
            burst.assertSignIns(fresh);
            ReplicaSite.assertApplyEngineHealthy(server);
            JsonNode deadLetters = get(fresh, "replica/dead-letters?max=100");
            assertThat(deadLetters.get("total").asLong()).as("dead letters at the new replica: " + deadLetters).isZero();
        } finally {
            server.stop();
        }
    }

    /** Who the burst left, with their passwords now, and whom it deleted. */
    private record Burst(Map<String, String> ids, Map<String, String> passwords, Map<String, String> oldPasswords,
                         Set<String> disabled, Set<String> deleted, String otpUser, String otpSecret) {

        Set<String> all() {
            Set<String> all = new TreeSet<>(ids.values());
            all.addAll(deleted);
            return all;
        }

        /**
         * The people hold what the burst gave them, so that equal people are equal in something: roles of
         * both kinds, groups, several attribute values, an OTP, disabled people; the deleted are not there.
         */
        void assertHeldBy(Map<String, RealmPeople.Person> people) {
            assertThat(people).containsKeys(ids.values().toArray(String[]::new)).doesNotContainKeys(deleted.toArray(String[]::new));
            List<RealmPeople.Person> ours = ids.values().stream().map(people::get).toList();
            assertThat(ours).anyMatch(p -> p.realmRoles().containsAll(List.of("project-lead", "operator")))
                    .anyMatch(p -> p.clientRoles().getOrDefault(CONFIDENTIAL_CLIENT, Set.of()).containsAll(List.of("reports-viewer",
                            "reports-editor")))
                    .anyMatch(p -> p.groups().equals(Set.of("/site-a/ops", "/site-a/engineering")))
                    .anyMatch(p -> p.groups().equals(Set.of("/site-a/engineering")))
                    .anyMatch(p -> List.of("de", "en", "fr").equals(p.attributes().get("languages")))
                    .anyMatch(p -> List.of("operations", "research").equals(p.attributes().get("department")))
                    .anyMatch(p -> !p.emailVerified());
            assertThat(people.get(ids.get(otpUser)).credentials()).extracting(RealmPeople.Credential::type)
                    .containsExactlyInAnyOrder("password", "otp");
            disabled.forEach(username -> assertThat(people.get(ids.get(username)).enabled()).as(username + " enabled").isFalse());
            assertThat(disabled).isNotEmpty();
            assertThat(oldPasswords).isNotEmpty();
        }

        void assertSignIns(KeycloakHttp replica) {
            passwords.forEach((username, password) -> {
                KeycloakHttp.Response r = signIn(replica, username, password);
                if (disabled.contains(username)) {
                    ReplicationIT.assertRefused(r, "Account disabled");
                } else {
                    assertThat(r.status()).as("sign-in of " + username + " at the new replica: " + r).isEqualTo(200);
                    assertThat(KeycloakHttp.claims(r.json().get("access_token").asText()).get("sub").asText()).isEqualTo(ids.get(username));
                }
            });
            oldPasswords.forEach((username, old) -> ReplicationIT.assertRefused(signIn(replica, username, old),
                    "Invalid user credentials"));
        }

        /** A password grant, with the TOTP code for the one person who has an OTP (the replica realm's direct grant asks for it). */
        private KeycloakHttp.Response signIn(KeycloakHttp replica, String username, String password) {
            Map<String, String> form = new LinkedHashMap<>();
            form.put("grant_type", "password");
            form.put("client_id", CONFIDENTIAL_CLIENT);
            form.put("client_secret", CLIENT_SECRET);
            form.put("username", username);
            form.put("password", password);
            form.put("scope", "openid");
            if (username.equals(otpUser)) {
                form.put("otp", KeycloakCredentials.totpCode(otpSecret, System.currentTimeMillis()));
            }
            return replica.postForm(replica.baseUrl() + "/realms/" + REALM + "/protocol/openid-connect/token", form);
        }
    }

    private static Burst burst(PrimarySite site) {
        String prefix = People.uniqueName("snap");
        KeycloakHttp primary = site.primary();
        String client = PrimarySite.clientUuid(primary, CONFIDENTIAL_CLIENT);
        JsonNode projectLead = get(primary, "roles/project-lead");
        JsonNode operator = get(primary, "roles/operator");
        JsonNode viewer = get(primary, "clients/" + client + "/roles/reports-viewer");
        JsonNode editor = get(primary, "clients/" + client + "/roles/reports-editor");
        String engineering = get(primary, "group-by-path/site-a/engineering").get("id").asText();
        String ops = get(primary, "group-by-path/site-a/ops").get("id").asText();
        String otpSecret = "snap-otp-" + UUID.randomUUID();

        Map<String, String> ids = new LinkedHashMap<>();
        Map<String, String> passwords = new LinkedHashMap<>();
        for (int i = 0; i < PEOPLE; i++) {
            String username = prefix + "-" + i;
            String password = "first " + UUID.randomUUID();
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("username", username);
            user.put("email", username + "@example.com");
            user.put("emailVerified", i % 2 == 0);
            user.put("firstName", "First" + i);
            user.put("lastName", "Last" + i);
            user.put("enabled", true);
            Map<String, List<String>> attributes = new LinkedHashMap<>();
            attributes.put("department", List.of(i % 2 == 0 ? "engineering" : "operations"));
            attributes.put("badge", List.of(String.valueOf(1000 + i)));
            if (i % 3 == 0) {
                attributes.put("languages", List.of("en", "de", "fr"));
            }
            user.put("attributes", attributes);
            if (i % 3 == 1) {
                user.put("groups", List.of("/site-a/ops"));
            }
            List<Map<String, Object>> credentials = new ArrayList<>();
            credentials.add(Map.of("type", "password", "value", password, "temporary", false));
            if (i == 0) {
                // Keycloak's stored format in the create body: admin REST cannot set an OTP otherwise.
                KeycloakCredentials.Stored otp = KeycloakCredentials.totp(otpSecret);
                credentials.add(Map.of("type", "otp", "userLabel", "phone", "secretData", otp.secretData(), "credentialData",
                        otp.credentialData()));
            }
            user.put("credentials", credentials);
            String id = site.createAtPrimary(user);
            ids.put(username, id);
            passwords.put(username, password);
            if (i % 4 == 0) {
                send(primary, "POST", "users/" + id + "/role-mappings/realm", List.of(projectLead));
            }
            if (i % 5 == 0) {
                send(primary, "POST", "users/" + id + "/role-mappings/realm", List.of(operator));
            }
            if (i % 3 == 0) {
                send(primary, "POST", "users/" + id + "/role-mappings/clients/" + client, List.of(viewer));
            }
            if (i % 7 == 0) {
                send(primary, "POST", "users/" + id + "/role-mappings/clients/" + client, List.of(editor));
            }
            if (i % 4 == 2) {
                send(primary, "PUT", "users/" + id + "/groups/" + engineering, null);
            }
        }
        assertThat(People.names(get(primary, "users/" + ids.get(prefix + "-0") + "/credentials"), "type"))
                .as("the OTP in stored format that the create body carried").contains("password", "otp");

        Map<String, String> oldPasswords = new LinkedHashMap<>();
        Set<String> disabled = new TreeSet<>();
        for (int i = 0; i < PEOPLE; i++) {
            String username = prefix + "-" + i;
            String id = ids.get(username);
            if (i % 6 == 1 || i % 10 == 2) {
                ObjectNode changed = get(primary, "users/" + id).deepCopy();
                changed.remove(List.of("userProfileMetadata", "access"));
                if (i % 6 == 1) {
                    changed.put("email", username + "@changed.example.com");
                    changed.put("lastName", "Changed" + i);
                    changed.putObject("attributes").putArray("department").add("research").add("operations");
                } else {
                    changed.put("enabled", false);
                    disabled.add(username);
                }
                send(primary, "PUT", "users/" + id, changed);
            }
            if (i % 8 == 3) {
                String second = "second " + UUID.randomUUID();
                send(primary, "PUT", "users/" + id + "/reset-password", Map.of("type", "password", "value", second, "temporary", false));
                oldPasswords.put(username, passwords.put(username, second));
            }
            if (i % 9 == 4) {
                send(primary, "DELETE", "users/" + id + "/groups/" + ops, null);
                send(primary, "PUT", "users/" + id + "/groups/" + engineering, null);
            }
            if (i % 6 == 3) {
                send(primary, "DELETE", "users/" + id + "/role-mappings/clients/" + client, List.of(viewer));
            }
        }
        Set<String> deleted = new TreeSet<>();
        for (int i : DELETED) {
            String username = prefix + "-" + i;
            String id = ids.remove(username);
            send(primary, "DELETE", "users/" + id, null);
            passwords.remove(username);
            oldPasswords.remove(username);
            disabled.remove(username);
            deleted.add(id);
        }
        return new Burst(ids, passwords, oldPasswords, disabled, deleted, prefix + "-0", otpSecret);
    }

    /** The publisher's status: no change waiting to be versioned, no record waiting for Kafka. */
    private static void awaitNothingWaitingAtThePrimary(PrimarySite site) {
        JsonNode status = Awaitility.await("the primary's publisher with nothing waiting")
                .atMost(DRAIN)
                .pollInterval(Duration.ofMillis(500))
                .until(() -> get(site.primary(), "replica-publisher/status"),
                        s -> s.at("/backlog/intents").asLong() == 0 && s.at("/backlog/unpublished").asLong() == 0);
        assertThat(status.path("lastPublishedAt").isNull()).as("published at all: " + status).isFalse();
    }

    /** The new replica holds as many people as the primary, then each of them as the primary does. */
    private static void awaitEqual(PrimarySite site, KeycloakHttp fresh, KeycloakServer server) {
        try {
            Awaitility.await("the new replica holds as many people as the primary")
                    .atMost(BOOTSTRAP)
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> RealmPeople.count(fresh) == RealmPeople.count(site.primary()));
            // A person read while the bootstrap writes them may answer 404 between the list and the details.
            Awaitility.await("the new replica holds every person as the primary does")
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(2))
                    .ignoreExceptionsMatching(e -> e instanceof AssertionError)
                    .until(() -> RealmPeople.all(fresh).equals(RealmPeople.all(site.primary())));
        } catch (ConditionTimeoutException e) {
            System.err.println("---- keycloak " + server.name() + ": " + server.logFile() + "\n" + LogTail.tail(server.logFile(), 120));
        }
        // Person by person, what differs.
        assertThat(RealmPeople.all(fresh)).as("the new replica's people").isEqualTo(RealmPeople.all(site.primary()));
    }

    /** What the new replica's log and its view of each subject say about where their state came from. */
    private static void assertBootstrappedFromSnapshots(KeycloakServer server, Burst burst) {
        String log;
        try {
            log = Files.readString(server.logFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(log).contains("bootstrapping from the snapshot topics (new replica)");
        Matcher bootstrapped = Pattern.compile("bootstrapped (\\d+) snapshot subjects").matcher(log);
        assertThat(bootstrapped.find()).as("the bootstrap's end in the log").isTrue();
        assertThat(Long.parseLong(bootstrapped.group(1))).as("snapshot subjects").isGreaterThanOrEqualTo(burst.all().size());
    }
}
