package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replica that starts, or restarts, on a healthy link with nothing to catch up is CONNECTED one
 * stabilization window after its first heartbeat, not two, and never before a whole window of health;
 * a sign-in right after that is an ordinary one, not a severed sign-in.
 */
@ExtendWith(ReplicaStack.class)
class LinkStartUpIT {

    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    private static final int THRESHOLD_SECONDS = 3;
    private static final int WINDOW_SECONDS = 10;
    private static final Duration WINDOW = Duration.ofSeconds(WINDOW_SECONDS);
    /** A heartbeat interval and a look (500 ms) or two of the watcher, on a machine running Keycloak and Kafka. */
    private static final Duration SLACK = Duration.ofSeconds(4);
    private static final String PASSWORD = "correct horse battery staple";

    private record Transition(String from, String to, Instant at, String cause) {

        @Override
        public String toString() {
            return from + "->" + to + " at " + at + " (" + cause + ")";
        }
    }

    @Test
    void aNewComponentThatOpensSeveredIsConnectedOneWindowAfterItsFirstHeartbeat(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "opening")) {
            Upstream upstream = realm.upstream(1);
            String username = person(upstream);
            realm.replicate(upstream, TestRealm.linkSettings(THRESHOLD_SECONDS, WINDOW_SECONDS));
            // As in the demo: the first look comes before the first heartbeat.
            JsonNode opened = realm.awaitLink("SEVERED", Duration.ofSeconds(20));
            assertThat(opened.get("cause").asText()).contains("no heartbeat received yet");

            upstream.startHeartbeats(HEARTBEAT);
            Instant heartbeats = Instant.now();
            realm.awaitLink("CONNECTED", WINDOW.multipliedBy(2).plus(SLACK));
            Instant connected = Instant.now();
            KeycloakHttp.Response signIn = realm.grant(username, PASSWORD);

            List<Transition> history = history(realm);
            assertThat(history).as("%s", history).extracting(t -> t.from() + "->" + t.to())
                    .containsExactly("null->SEVERED", "SEVERED->RECOVERING", "RECOVERING->CONNECTED");
            Instant recovering = history.get(1).at();
            Instant connectedAt = history.get(2).at();
            report("new component", "first heartbeat sent", heartbeats, history, connected);
            // The SEVERED it opened in is not held for a window: RECOVERING comes with the first heartbeat.
            assertThat(Duration.between(heartbeats, recovering)).as("first heartbeat to RECOVERING: %s", history).isLessThan(SLACK);
            assertThat(Duration.between(recovering, connectedAt)).as("RECOVERING to CONNECTED: %s", history)
                    .isGreaterThanOrEqualTo(WINDOW).isLessThan(WINDOW.plus(SLACK));
            assertThat(Duration.between(heartbeats, connectedAt)).as("first heartbeat to CONNECTED: %s", history)
                    .isLessThan(WINDOW.plus(SLACK));

            assertNotASeveredSignIn(site, realm, signIn);
        }
    }

    @Test
    void aRestartedNodeOnAHealthyLinkIsConnectedWithinOneWindow(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "restart")) {
            Upstream upstream = realm.upstream(1).startHeartbeats(HEARTBEAT);
            String username = person(upstream);
            realm.replicate(upstream, TestRealm.linkSettings(THRESHOLD_SECONDS, WINDOW_SECONDS));
            realm.awaitLink("CONNECTED", WINDOW.multipliedBy(2).plus(Duration.ofSeconds(20)));
            realm.awaitUser(username, u -> true);

            Instant stopping = Instant.now();
            site.server().stop();
            site.server().start();
            Instant ready = Instant.now();
            // What the site says the moment it serves again, before or after this node's first look.
            JsonNode atReady = realm.link();
            realm.awaitLink("CONNECTED", WINDOW.multipliedBy(2).plus(SLACK));
            Instant connected = Instant.now();
            KeycloakHttp.Response signIn = realm.grant(username, PASSWORD);

            List<Transition> sinceRestart = history(realm).stream().filter(t -> t.at().isAfter(stopping)).toList();
            report("restart", "server ready (link then " + atReady.path("state").asText() + ")", ready, sinceRestart, connected);
            assertThat(sinceRestart).as("state changes since the restart").isNotEmpty();
            // Away longer than the severance threshold: the stored CONNECTED is not trusted, and proved again.
            assertThat(sinceRestart.get(0).from()).as("%s", sinceRestart).isEqualTo("CONNECTED");
            assertThat(sinceRestart.get(sinceRestart.size() - 1).to()).as("%s", sinceRestart).isEqualTo("CONNECTED");
            Transition last = sinceRestart.get(sinceRestart.size() - 1);
            Transition recovering = sinceRestart.stream().filter(t -> "RECOVERING".equals(t.to())).findFirst().orElseThrow();
            assertThat(Duration.between(recovering.at(), last.at())).as("RECOVERING to CONNECTED: %s", sinceRestart)
                    .isGreaterThanOrEqualTo(WINDOW).isLessThan(WINDOW.plus(SLACK));
            assertThat(Duration.between(sinceRestart.get(0).at(), last.at())).as("first look to CONNECTED: %s", sinceRestart)
                    .isLessThan(WINDOW.plus(SLACK));
            assertThat(Duration.between(ready, last.at())).as("server ready to CONNECTED: %s", sinceRestart)
                    .isLessThan(WINDOW.plus(SLACK));

            assertNotASeveredSignIn(site, realm, signIn);
        }
    }

    /** Publishes a person with a password; returns the username. */
    private static String person(Upstream upstream) {
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("start");
        upstream.upsert(subject, Map.of("username", username, "email", username + "@example.com", "enabled", true));
        upstream.password(subject, "pw-" + subject, PASSWORD);
        return username;
    }

    /** The link's state changes, oldest first. */
    private static List<Transition> history(TestRealm realm) {
        List<Transition> history = new ArrayList<>();
        for (JsonNode t : realm.link().get("history")) {
            history.add(0, new Transition(t.path("from").asText("null"), t.get("to").asText(), Instant.parse(t.get("at").asText()),
                    t.path("cause").asText()));
        }
        return history;
    }

    /** What the test measured, in its output, for the record. */
    private static void report(String what, String from, Instant start, List<Transition> history, Instant seen) {
        StringBuilder out = new StringBuilder("LinkStartUpIT " + what + ": window " + WINDOW_SECONDS + " s; " + from + " at +0 ms\n");
        for (Transition t : history) {
            out.append("  ").append(t.from()).append(" -> ").append(t.to()).append(" at +")
                    .append(Duration.between(start, t.at()).toMillis()).append(" ms: ").append(t.cause()).append('\n');
        }
        out.append("  CONNECTED seen by the test at +").append(Duration.between(start, seen).toMillis()).append(" ms");
        System.out.println(out);
    }

    /** The sign-in went through, and the site did not record it as served while severed. */
    private static void assertNotASeveredSignIn(ReplicaSite site, TestRealm realm, KeycloakHttp.Response signIn) {
        assertThat(signIn.status()).as(signIn.toString()).isEqualTo(200);
        KeycloakHttp.Response signIns = site.keycloak().admin("GET", realm.name + "/replica/severed-sign-ins", null);
        assertThat(signIns.status()).as(signIns.toString()).isEqualTo(200);
        assertThat(signIns.json()).as("severed sign-ins of realm %s", realm.name).isEmpty();
    }
}
