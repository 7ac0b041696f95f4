package io.github.keycloakreplica.stack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.PrimaryWritePath;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The README's demo: a Kafka broker, a primary Keycloak whose realm publishes, and a replica Keycloak following
 * it. The sample people are made at the primary through its admin REST; the demo waits until the replica's link
 * is CONNECTED and each of them signs in there, then prints both consoles and what to try. Runs until Ctrl-C;
 * Enter cuts the link and restores it (see {@link Severing}).
 */
public final class Demo {

    static final String REALM = "acme";
    /** Heartbeats every second: a cut shows at the replica as soon as its threshold allows. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(1);
    /**
     * The primary compares its realm with what it published every minute, not every 5: a change Keycloak fires no
     * event for (a credential's label, say) then shows at the replica while someone is still looking.
     */
    private static final Duration RECONCILE = Duration.ofSeconds(60);
    /** How long the demo waits for its link: the default window (30 s) after the first heartbeat is expected. */
    private static final Duration LINK_WAIT = Duration.ofSeconds(120);

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        Instant started = Instant.now();
        System.out.println("keycloak-replica demo: starting a Kafka broker, a primary and a replica Keycloak (about two minutes)...");
        StackArtifacts artifacts = StackArtifacts.load();
        // Each Keycloak gets the broker's address from the stack; the publisher creates the topics itself.
        Stack stack = Stack.builder()
                .keycloak(KeycloakServerSpec.builder("primary")
                        .realmImport(artifacts.realmFile("acme-primary-realm.json"))
                        .env("REPLICA_PUBLISHER_HEARTBEAT_SECONDS", String.valueOf(HEARTBEAT.toSeconds()))
                        .env("REPLICA_PUBLISHER_RECONCILE_SECONDS", String.valueOf(RECONCILE.toSeconds()))
                        // Keycloak 26.7's console draws the publisher's page only with this experimental feature.
                        .option("features", "declarative-ui")
                        .build())
                .keycloak(KeycloakServerSpec.builder("replica")
                        .realmImport(artifacts.realmFile("acme-realm.json"))
                        .env("REPLICA_CONSUMER_GROUP", "demo-site")
                        .env("REPLICA_UPSTREAM_NAME", "the primary Keycloak")
                        .build())
                .start();
        AtomicReference<Severing> severing = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("keycloak-replica demo: stopping...");
            Optional.ofNullable(severing.get()).ifPresent(Severing::stopWatching);
            stack.close();
        }, "demo-shutdown"));
        KeycloakServer primaryServer = stack.keycloak("primary");
        KeycloakServer replicaServer = stack.keycloak("replica");
        KeycloakHttp primary = http(primaryServer);
        KeycloakHttp replica = http(replicaServer);
        System.out.printf("both Keycloaks are up after %d s%n", Duration.between(started, Instant.now()).toSeconds());
        // A password changed at the site is set by the primary: the replica's component calls its write path.
        PrimaryWritePath.use(replica, REALM, primaryServer);

        // The link first: a sign-in before it is CONNECTED would be recorded as a severed sign-in.
        awaitLinkConnected(replica, replicaServer);
        SamplePeople people = new SamplePeople(REALM, primary, replica);
        List<SamplePeople.Arrival> arrivals = new ArrayList<>();
        for (SamplePeople.Person person : SamplePeople.PEOPLE) {
            arrivals.add(people.create(person));
        }
        for (SamplePeople.Person person : SamplePeople.PEOPLE) {
            people.awaitSignIn(person);
        }

        AdminRestExamples adminRest = AdminRestExamples.fromReadme(artifacts.readme())
                .with(AdminRestExamples.BASE_URL, replicaServer.baseUrl().toString())
                .with(AdminRestExamples.REALM, REALM)
                .with(AdminRestExamples.SUBJECT, arrivals.get(0).id());
        // The consoles on two host names: browsers keep cookies per host, not per port, so one browser can be
        // signed in to both without either sign-in replacing the other's.
        URI primaryConsole = onLocalhost(primaryServer.baseUrl());
        System.out.printf("%n"
                        + "================ keycloak-replica demo is running (ready in %d s) ================%n"
                        + "Primary:  %s/admin/master/console/#/%s/users%n"
                        + "          the authority: sign in as %s / %s and change people here; its realm publishes to Kafka%n"
                        + "          (publisher status: GET %s/admin/realms/%s/replica-publisher/status)%n"
                        + "Replica:  %s/admin/master/console/#/%s/users%n"
                        + "          a site: sign in as %s / %s; its people came from the primary and are read-only here%n"
                        + "          account console %s/realms/%s/account%n"
                        + "People:   made at the primary's admin REST, at the replica %s after its answer:%n"
                        + "%s"
                        + "Try:      change a person in the primary's console (name, attribute, enabled, role, group, new password)%n"
                        + "          or add one, then reload the replica's console: it is there within a second, under the same id.%n"
                        + "          A password set at the replica (its admin console's Reset password) is set by the primary's write%n"
                        + "          path and signs in at both at once; while severed, the replica refuses it.%n"
                        + "Sever:    press Enter to stop the Kafka broker: the replica goes SEVERED at once, still signs people in,%n"
                        + "          and its sign-in page says the site is cut off; changes at the primary wait for the broker.%n"
                        + "          Enter again starts the broker: what waited arrives, the link goes RECOVERING and, one%n"
                        + "          stabilization window (30 s) later, CONNECTED.%n"
                        + "          Or type p and Enter (or use Enabled on the primary's Configure > Replica publisher page): the%n"
                        + "          publisher goes off, its heartbeats stop, and the replica goes SEVERED after 15 s; p and Enter again%n"
                        + "          switch it back on. Link changes are printed here.%n"
                        + "Kafka:    %s, topics %s.*%n"
                        + "Logs:     %s%n"
                        + "          %s%n"
                        + "Admin REST of the replica: it wants an admin's token (a browser gets 401); README's \"Admin REST from a shell\"%n"
                        + "          for this demo: the link, the lag, the operations, a targeted sync of alice, what it holds on her%n"
                        + "%s"
                        + "Press Ctrl-C to stop everything.%n",
                Duration.between(started, Instant.now()).toSeconds(),
                primaryConsole, REALM, primaryServer.adminUsername(), primaryServer.adminPassword(), primaryServer.baseUrl(), REALM,
                replicaServer.baseUrl(), REALM, replicaServer.adminUsername(), replicaServer.adminPassword(), replicaServer.baseUrl(), REALM,
                arrivalTimes(arrivals), peopleLines(arrivals),
                stack.broker().bootstrapServers(), REALM, primaryServer.logFile(), replicaServer.logFile(), adminRest.script());

        severing.set(new Severing(REALM, stack.broker(), primary, replica));
        severing.get().watchLink("CONNECTED");
        // Runs until the JVM is asked to stop (Ctrl-C); the hook above then stops every server. Without a terminal
        // (stdin at its end) it just runs on.
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                severing.get().onInput(line);
            }
        }
        Thread.currentThread().join();
    }

    private static KeycloakHttp http(KeycloakServer server) {
        return new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
    }

    private static URI onLocalhost(URI baseUrl) {
        return URI.create("http://localhost:" + baseUrl.getPort());
    }

    private static String arrivalTimes(List<SamplePeople.Arrival> arrivals) {
        List<String> times = new ArrayList<>();
        arrivals.forEach(a -> times.add(String.format(Locale.ROOT, "%.2f s", a.arrivedAfter().toMillis() / 1000.0)));
        return String.join(", ", times);
    }

    private static String peopleLines(List<SamplePeople.Arrival> arrivals) {
        StringBuilder lines = new StringBuilder();
        for (SamplePeople.Arrival a : arrivals) {
            SamplePeople.Person p = a.person();
            lines.append(String.format(Locale.ROOT, "          %-6s password %s  %-13s %-21s id %s%n", p.username(), SamplePeople.PASSWORD,
                    p.role(), p.group(), a.id()));
        }
        return lines.toString();
    }

    /**
     * Waits until the link to the primary is CONNECTED, saying what it waits for: before that, the sign-in page
     * tells a newcomer that the site works without its link, credential changes are refused, and every sign-in is
     * recorded as a severed one. A replica that starts on a healthy link needs one stabilization window after its
     * first heartbeat; the bound leaves room for a slow machine and fails with the state and its cause.
     */
    private static void awaitLinkConnected(KeycloakHttp replica, KeycloakServer server) throws InterruptedException {
        Instant started = Instant.now();
        Instant deadline = started.plus(LINK_WAIT);
        String reported = null;
        while (true) {
            KeycloakHttp.Response links = replica.admin("GET", REALM + "/replica/link?history=0", null);
            if (links.status() != 200) {
                throw new IllegalStateException("cannot read the link of realm " + REALM + ": " + links);
            }
            JsonNode link = links.json().path(0);
            String state = link.path("state").asText("not looked at yet");
            if ("CONNECTED".equals(state)) {
                System.out.printf("link CONNECTED after %d s%n", Duration.between(started, Instant.now()).toSeconds());
                return;
            }
            if (reported == null) {
                System.out.printf("waiting for the replica's link to the primary to be CONNECTED: heartbeats fresh and the replica caught "
                        + "up for a whole stabilization window (%d s)...%n", link.path("stabilizationWindowSeconds").asLong());
            }
            if (!state.equals(reported)) {
                System.out.printf("  link %s: %s%n", state, link.path("cause").asText(""));
                reported = state;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the link did not become CONNECTED within " + LINK_WAIT.toSeconds() + " s: it is " + state
                        + " (" + link.path("cause").asText("") + "). The replica's log is " + server.logFile());
            }
            Thread.sleep(500);
        }
    }
}
