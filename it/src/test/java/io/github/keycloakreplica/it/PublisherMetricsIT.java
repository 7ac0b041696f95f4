package io.github.keycloakreplica.it;

import io.github.keycloakreplica.stack.KeycloakServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The publisher's meters on the primary's metrics endpoint, as an operator's monitoring scrapes them: the one node
 * relays the realm, a change at the primary moves the published counter and leaves no backlog, heartbeats are
 * recent, and the realm's name is the only label (nothing of a person). The replica, which publishes nothing, has
 * none of them.
 */
@ExtendWith(PrimaryStack.class)
class PublisherMetricsIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PREFIX = "keycloak_replica_publisher_";

    @Test
    void aChangeAtThePrimaryIsCountedPublishedAndLeavesNoBacklog(PrimarySite site) {
        KeycloakServer primary = site.primaryServer();
        awaitMeter(primary, "relaying", v -> v == 1, "1: the primary's only node relays the realm");
        double before = meter(primary, "published_total");

        String username = People.uniqueName("pub-metrics");
        Map<String, Object> person = new LinkedHashMap<>();
        person.put("username", username);
        person.put("email", username + "@example.com");
        person.put("firstName", "Metric");
        person.put("lastName", "Person");
        person.put("enabled", true);
        person.put("credentials", List.of(Map.of("type", "password", "value", "Metrics-Pa55", "temporary", false)));
        String id = site.createAtPrimary(person);
        site.awaitAtReplica(id, PROPAGATION, u -> true);

        // An identity delta, its snapshot, a credential delta and its snapshot at least.
        awaitMeter(primary, "published_total", v -> v >= before + 4, "up by the person's records from " + before);
        // The backlog gauges follow the database every 2 seconds.
        awaitMeter(primary, "unpublished", v -> v == 0, "0");
        awaitMeter(primary, "intents", v -> v == 0, "0");
        assertThat(meter(primary, "oldest_unpublished_age_seconds")).as("nothing waits").isZero();
        assertThat(meter(primary, "heartbeat_age_seconds")).as("heartbeats every " + PrimarySite.HEARTBEAT_INTERVAL)
                .isBetween(0.0, 5.0);
        assertThat(meter(primary, "relaying")).isEqualTo(1);
        assertThat(meter(primary, "reconcile_running")).isIn(0.0, 1.0);
        assertThat(meter(primary, "fenced_total")).as("one node: nobody took the relay over").isZero();
        assertThat(meter(primary, "reconcile_found_total")).isNotNegative();

        String metrics = metrics(primary);
        List<String> series = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^(" + PREFIX + "\\w+)\\{([^}]*)} \\S+$").matcher(metrics);
        while (m.find()) {
            // Other tests' realms publish on this primary too: the realm is every series' one tag, and acme has each series once.
            assertThat(m.group(2)).as(m.group()).matches("realm=\"[^\",]+\"");
            if (m.group(2).equals("realm=\"" + REALM + "\"")) {
                series.add(m.group(1));
            }
        }
        assertThat(series).as("the publisher's series").hasSize(10).doesNotHaveDuplicates();
        assertThat(meter(primary, "set_aside_total")).isNotNegative();
        assertThat(metrics).doesNotContain(username).doesNotContain(id);
        assertThat(metrics(site.replicaServer())).as("the replica publishes nothing").doesNotContain(PREFIX);
    }

    private static void awaitMeter(KeycloakServer server, String name, java.util.function.DoublePredicate condition, String expected) {
        Awaitility.await(PREFIX + name + "{realm=\"" + REALM + "\"} " + expected)
                .atMost(PROPAGATION)
                .pollInterval(Duration.ofMillis(500))
                // The series appears with the relay's first meters.
                .ignoreExceptionsInstanceOf(AssertionError.class)
                .until(() -> meter(server, name), condition::test);
    }

    /** The realm's series of one publisher meter, from the Prometheus text Keycloak serves. */
    private static double meter(KeycloakServer server, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(PREFIX + name) + "\\{([^}]*)} (\\S+)$").matcher(metrics(server));
        while (m.find()) {
            if (m.group(1).contains("realm=\"" + REALM + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + PREFIX + name + " series for realm " + REALM);
    }

    private static String metrics(KeycloakServer server) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
