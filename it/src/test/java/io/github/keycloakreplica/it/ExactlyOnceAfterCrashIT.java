package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.StreamEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Applied state and the consumer position commit in one transaction: killing Keycloak (SIGKILL) in the
 * middle of a stream of thousands of events and starting it again ends with every event applied
 * exactly once: the final state is the expected one, and no subject's event log shows an event applied
 * twice or redelivered after it was applied.
 */
@ExtendWith(ReplicaStack.class)
class ExactlyOnceAfterCrashIT {

    private static final int SUBJECTS = 300;
    private static final int VERSIONS = 10;

    @Test
    void aCrashMidStreamLosesNothingAndAppliesNothingTwice(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "crash")) {
            // Deltas only: a snapshot published ahead would let the new replica's bootstrap cover the events.
            Upstream upstream = realm.upstream(3).withoutSnapshots();
            realm.replicate(upstream, Map.of());

            Map<String, String> subjects = new LinkedHashMap<>();
            Map<String, List<String>> eventIds = new HashMap<>();
            List<StreamEvent> firstHalf = new ArrayList<>();
            List<StreamEvent> secondHalf = new ArrayList<>();
            for (int i = 0; i < SUBJECTS; i++) {
                String subject = UUID.randomUUID().toString();
                subjects.put(subject, "crash-" + i + "-" + subject.substring(0, 6));
            }
            for (int version = 1; version <= VERSIONS; version++) {
                for (Map.Entry<String, String> subject : subjects.entrySet()) {
                    Map<String, Object> change = new LinkedHashMap<>();
                    if (version == 1) {
                        change.put("username", subject.getValue());
                        change.put("enabled", true);
                    }
                    change.put("department", "v" + version);
                    change.put("firstName", "First-" + version);
                    StreamEvent event = upstream.upsertEvent(subject.getKey(), change);
                    eventIds.computeIfAbsent(subject.getKey(), k -> new ArrayList<>()).add(event.envelope().id());
                    (version <= VERSIONS / 2 ? firstHalf : secondHalf).add(event);
                }
            }

            upstream.sendAll(firstHalf);
            Awaitility.await("the replica is applying").atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(100))
                    .until(() -> userCount(site, realm) > 0);
            site.server().kill();
            upstream.sendAll(secondHalf);
            site.server().start();

            Awaitility.await("every subject at its last version").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> finalUsers(site, realm) == SUBJECTS);

            for (Map.Entry<String, String> subject : subjects.entrySet()) {
                JsonNode view = realm.subject(subject.getKey()).orElseThrow();
                List<String> applied = new ArrayList<>();
                for (JsonNode line : view.get("eventLog")) {
                    assertThat(line.get("outcome").asText()).as("subject " + subject.getValue() + ": " + line).isEqualTo("applied");
                    applied.add(line.get("eventId").asText());
                }
                assertThat(applied).as("each event of " + subject.getValue() + " applied exactly once")
                        .containsExactlyInAnyOrderElementsOf(eventIds.get(subject.getKey()));
                assertThat(view.at("/attributes/department/version").asLong()).isEqualTo(VERSIONS);
            }
        }
    }

    private static int userCount(ReplicaSite site, TestRealm realm) {
        return site.keycloak().admin("GET", realm.name + "/users/count", null).json().asInt();
    }

    /** Users at their final state: every attribute at the last version the upstream sent. */
    private static long finalUsers(ReplicaSite site, TestRealm realm) {
        KeycloakHttp.Response users = site.keycloak().admin("GET", realm.name + "/users?briefRepresentation=false&max=" + (SUBJECTS * 2), null);
        if (users.status() != 200) {
            return -1;
        }
        long done = 0;
        for (JsonNode user : users.json()) {
            if (("v" + VERSIONS).equals(user.at("/attributes/department/0").asText())
                    && ("First-" + VERSIONS).equals(user.path("firstName").asText())) {
                done++;
            }
        }
        return done;
    }
}
