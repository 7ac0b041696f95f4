package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.StreamCodec;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What became of each event, the open gaps and how long they stayed open are on Keycloak's own metrics
 * endpoint, per realm and component, as an operator's monitoring scrapes them.
 */
@ExtendWith(ReplicaStack.class)
class MetricsIT {

    @Test
    void outcomesGapsAndGapResolutionAreOnTheMetricsEndpoint(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "metrics")) {
            // Deltas only: a bootstrap from snapshots published ahead would cover the events, and the gap
            // must stay open until the missing event arrives.
            Upstream upstream = realm.upstream(1).withoutSnapshots();
            realm.replicate(upstream, Map.of());
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("mira");

            IdentityUpsert first = upstream.upsertEvent(subject, Map.of("username", username, "lastName", "One", "enabled", true));
            IdentityUpsert second = upstream.upsertEvent(subject, Map.of("lastName", "Two"));
            IdentityUpsert third = upstream.upsertEvent(subject, Map.of("lastName", "Three"));
            upstream.send(first);
            upstream.send(first);
            upstream.send(third);
            awaitMeter(realm, "keycloak_replica_events_total", "outcome=\"buffered\"", 1);
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"applied\"")).isEqualTo(1);
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"duplicate\"")).isEqualTo(1);
            // The gauges follow the database every couple of seconds.
            awaitMeter(realm, "keycloak_replica_open_gaps", null, 1);
            Thread.sleep(1_100);
            assertThat(realm.meter("keycloak_replica_oldest_gap_age_seconds", null)).isGreaterThan(0);

            upstream.send(second);
            realm.awaitUser(username, u -> "Three".equals(u.path("lastName").asText()));
            awaitMeter(realm, "keycloak_replica_open_gaps", null, 0);
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"applied\"")).isEqualTo(2);
            assertThat(realm.meter("keycloak_replica_gap_resolution_seconds_count", null)).isEqualTo(1);
            assertThat(realm.meter("keycloak_replica_gap_resolution_seconds_sum", null)).isGreaterThan(0);

            // The same versions under a new event id: stale, not a duplicate.
            ObjectNode again = (ObjectNode) KeycloakHttp.JSON.readTree(new StreamCodec().encode(second));
            again.put("id", UUID.randomUUID().toString());
            upstream.sendRaw(upstream.topics().identity(), subject, again.toString().getBytes(StandardCharsets.UTF_8));
            upstream.sendRaw(upstream.topics().identity(), subject, "not an event".getBytes(StandardCharsets.UTF_8));
            awaitMeter(realm, "keycloak_replica_events_total", "outcome=\"rejected\"", 1);
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"stale\"")).isEqualTo(1);
        }
    }

    private static void awaitMeter(TestRealm realm, String name, String label, double expected) {
        Awaitility.await(name + (label == null ? "" : "{" + label + "}") + " = " + expected)
                .atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(500))
                // A series appears with the component's first meter.
                .ignoreExceptionsInstanceOf(AssertionError.class)
                .until(() -> realm.meter(name, label), v -> v == expected);
    }
}
