package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.IdentityUpsert;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The replica reflects the true order of upstream changes, not the order they arrive in: stale and
 * duplicate events are discarded, a gap waits for the events in between, and a gap nothing fills is
 * repaired from the snapshot topics, as is a replica that starts with nothing.
 */
@ExtendWith(ReplicaStack.class)
class VersionedApplyIT {

    @Test
    void outOfOrderDuplicateAndGappedEventsEndInTheRightState(ReplicaSite site) {
        Upstream upstream = site.upstream();
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("olga");
        IdentityUpsert first = upstream.upsertEvent(subject, Map.of("username", username, "email", username + "@v1.example",
                "firstName", "Olga", "enabled", true));
        IdentityUpsert second = upstream.upsertEvent(subject, Map.of("email", username + "@v2.example"));
        IdentityUpsert third = upstream.upsertEvent(subject, Map.of("email", username + "@v3.example", "firstName", "Olga-3"));

        upstream.send(first);
        upstream.send(third);
        upstream.send(third);
        // email v3 waits for v2; firstName v2 is the next version and applies.
        JsonNode waiting = site.awaitUser(username, u -> "Olga-3".equals(u.path("firstName").asText()));
        assertThat(waiting.get("email").asText()).isEqualTo(username + "@v1.example");
        JsonNode gap = subjectView(site, subject);
        assertThat(gap.at("/gaps/0/name").asText()).isEqualTo("email");
        assertThat(gap.at("/gaps/0/version").asLong()).isEqualTo(3);

        upstream.send(second);
        upstream.send(first);
        site.awaitUser(username, u -> (username + "@v3.example").equals(u.path("email").asText()));

        JsonNode view = subjectView(site, subject);
        assertThat(view.get("gaps")).isEmpty();
        assertThat(view.at("/attributes/email/version").asLong()).isEqualTo(3);
        assertThat(view.at("/attributes/email/eventId").asText()).isEqualTo(third.envelope().id());
        Map<String, List<String>> outcomes = new HashMap<>();
        for (JsonNode line : view.get("eventLog")) {
            outcomes.computeIfAbsent(line.get("eventId").asText(), k -> new ArrayList<>()).add(line.get("outcome").asText());
        }
        assertThat(outcomes.get(first.envelope().id())).containsExactlyInAnyOrder("applied", "duplicate");
        assertThat(outcomes.get(third.envelope().id())).containsExactlyInAnyOrder("applied", "duplicate");
        assertThat(outcomes.get(second.envelope().id())).containsExactly("applied");
        assertThat(findLine(view, second.envelope().id()).get("detail").asText()).contains("closed a gap").contains("email v3");
    }

    /**
     * The engine writes a transaction's users without flushing between events (Keycloak's batch mode):
     * events that share a transaction must still see each other, for one subject and across subjects.
     */
    @Test
    void eventsThatShareATransactionSeeEachOther(ReplicaSite site) {
        Upstream upstream = site.upstream();
        String first = UUID.randomUUID().toString();
        // On the same partition: across partitions the upstream's order of a rename and the reuse of the
        // name is not kept, and the reuse can arrive first.
        String second = UUID.randomUUID().toString();
        while (upstream.partitionOf(second) != upstream.partitionOf(first)) {
            second = UUID.randomUUID().toString();
        }
        String name = People.uniqueName("quinn");
        String renamed = name + "-renamed";
        Map<String, Object> drop = new HashMap<>();
        drop.put("department", null);
        drop.put("realmRoles", List.of());
        drop.put("groups", List.of());
        // Sent together, so that one poll, and so one transaction, carries them all.
        upstream.sendAll(List.of(
                upstream.upsertEvent(first, Map.of("username", name, "enabled", true, "realmRoles", List.of("operator"),
                        "groups", List.of("/site-a/ops"), "department", "one", "lastName", "First")),
                upstream.upsertEvent(first, Map.of("department", "two", "realmRoles", List.of("operator", "project-lead"))),
                upstream.upsertEvent(first, drop),
                upstream.upsertEvent(first, Map.of("username", renamed, "department", "three")),
                upstream.upsertEvent(second, Map.of("username", name, "enabled", true, "lastName", "Second"))));

        JsonNode taken = site.awaitUser(name, u -> "Second".equals(u.path("lastName").asText()));
        assertThat(taken.get("id").asText()).isEqualTo(second);
        JsonNode moved = site.awaitUser(renamed, u -> true);
        assertThat(moved.get("id").asText()).isEqualTo(first);
        assertThat(moved.at("/attributes/department")).hasSize(1);
        assertThat(moved.at("/attributes/department/0").asText()).isEqualTo("three");
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + first + "/role-mappings/realm", null).json(), "name"))
                .doesNotContain("operator", "project-lead");
        assertThat(site.keycloak().admin("GET", REALM + "/users/" + first + "/groups", null).json()).isEmpty();
        assertThat(outcomes(subjectView(site, first))).containsOnly("applied");
        assertThat(outcomes(subjectView(site, second))).containsOnly("applied");
    }

    @Test
    void aGapPastItsTimeoutIsRepairedFromTheSnapshotTopic(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "repair")) {
            Upstream upstream = realm.upstream(2);
            realm.replicate(upstream, Map.of("gapTimeoutSeconds", "2"));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("pavel");
            upstream.upsert(subject, Map.of("username", username, "lastName", "One", "enabled", true));
            realm.awaitUser(username, u -> true);

            upstream.upsertEvent(subject, Map.of("lastName", "Two", "department", "lost in transit"));
            IdentityUpsert third = upstream.upsertEvent(subject, Map.of("lastName", "Three"));
            upstream.send(third);

            JsonNode repaired = realm.awaitUser(username, u -> "Three".equals(u.path("lastName").asText()));
            assertThat(repaired.at("/attributes/department/0").asText()).as("the lost event's other attribute").isEqualTo("lost in transit");
            JsonNode view = realm.subject(subject).orElseThrow();
            assertThat(view.get("gaps")).isEmpty();
            assertThat(view.at("/attributes/lastName/version").asLong()).isEqualTo(3);
            assertThat(outcomes(view)).contains("repaired");
            // The newest repair; a consumer that started after the first upsert also bootstrapped from the snapshot.
            JsonNode repair = null;
            for (JsonNode line : view.get("eventLog")) {
                if (repair == null && "repaired".equals(line.get("outcome").asText())) {
                    repair = line;
                }
            }
            assertThat(repair.get("detail").asText()).contains("gap open longer than the gap timeout");
            assertThat(repair.get("versions").asText()).contains("lastName v3").contains("department v1");
        }
    }

    @Test
    void aNewReplicaWhoseDeltasAreGoneBootstrapsFromTheSnapshotTopics(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "bootstrap")) {
            Upstream upstream = realm.upstream(2);
            List<String> usernames = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String subject = UUID.randomUUID().toString();
                String username = People.uniqueName("quinn");
                usernames.add(username);
                upstream.upsert(subject, Map.of("username", username, "firstName", "Before", "enabled", true));
                upstream.upsert(subject, Map.of("firstName", "After"));
                upstream.password(subject, "pw-" + subject, "quinn's password");
            }
            // Retention overtook the deltas: only the snapshots still say who these people are.
            deleteAllRecords(site, List.of(upstream.topics().identity(), upstream.topics().credentials()), 2);

            realm.replicate(upstream, Map.of());

            for (String username : usernames) {
                realm.awaitUser(username, u -> "After".equals(u.path("firstName").asText()));
            }
            Awaitility.await().atMost(ReplicaSite.APPLY_TIMEOUT).until(() ->
                    site.keycloak().passwordGrant(realm.name, "admin-cli", null, usernames.get(0), "quinn's password").status() == 200);
            assertThat(outcomes(realm.subject(realm.user(usernames.get(0)).orElseThrow().get("id").asText()).orElseThrow()))
                    .containsExactly("repaired");
        }
    }

    private static void deleteAllRecords(ReplicaSite site, List<String> topics, int partitions) throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, site.stack().broker().bootstrapServers());
        try (Admin admin = Admin.create(properties)) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            topics.forEach(t -> {
                for (int p = 0; p < partitions; p++) {
                    latest.put(new TopicPartition(t, p), OffsetSpec.latest());
                }
            });
            Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> delete.put(tp, RecordsToDelete.beforeOffset(info.offset())));
            admin.deleteRecords(delete).all().get();
        }
    }

    private static JsonNode subjectView(ReplicaSite site, String subject) {
        return site.keycloak().admin("GET", REALM + "/replica/subjects/" + subject, null).json().get(0);
    }

    private static List<String> outcomes(JsonNode view) {
        List<String> outcomes = new ArrayList<>();
        view.get("eventLog").forEach(line -> outcomes.add(line.get("outcome").asText()));
        return outcomes;
    }

    private static JsonNode findLine(JsonNode view, String eventId) {
        for (JsonNode line : view.get("eventLog")) {
            if (eventId.equals(line.get("eventId").asText())) {
                return line;
            }
        }
        throw new AssertionError("no event log line for " + eventId + " in " + view);
    }
}
