package io.github.keycloakreplica.stack.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.Stack;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stack.upstream.UpstreamWritePath;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The README's demo: a Kafka broker and a replica Keycloak, a few people published to the stream as an
 * upstream authority would publish them, and the addresses to sign in with. Runs until Ctrl-C.
 */
public final class Demo {

    static final String REALM = "acme";
    static final String PASSWORD = "replica-demo-1";

    private record Person(String subject, String username, String first, String last, List<String> roles, List<String> groups) {
    }

    private static final List<Person> PEOPLE = List.of(
            new Person("7f3c2a10-1b2c-4d5e-8f90-a1b2c3d4e5f6", "alice", "Alice", "Anders", List.of("project-lead"), List.of("/site-a/ops")),
            new Person("8a4d3b21-2c3d-4e5f-9a01-b2c3d4e5f6a7", "bob", "Bob", "Berg", List.of("operator"), List.of("/site-a/ops")),
            new Person("9b5e4c32-3d4e-4f60-8b12-c3d4e5f6a7b8", "carol", "Carol", "Chen", List.of("operator"), List.of("/site-a/engineering")));

    private Demo() {
    }

    private static final Duration HEARTBEAT = Duration.ofSeconds(5);
    /** How long the demo waits for its link: the default window (30 s) after the first heartbeat is expected. */
    private static final Duration LINK_WAIT = Duration.ofSeconds(120);

    public static void main(String[] args) throws Exception {
        Instant started = Instant.now();
        System.out.println("keycloak-replica demo: starting a Kafka broker and a replica Keycloak (about a minute)...");
        StackArtifacts artifacts = StackArtifacts.load();
        Upstream[] upstream = new Upstream[1];
        UpstreamWritePath[] writePath = new UpstreamWritePath[1];
        String writePathSecret = UUID.randomUUID().toString();
        Stack stack = Stack.builder()
                .keycloak(broker -> {
                    upstream[0] = new Upstream(broker.bootstrapServers(), REALM, "keycloak://primary/realms/" + REALM);
                    upstream[0].createTopics(broker, 3);
                    upstream[0].startHeartbeats(HEARTBEAT);
                    writePath[0] = UpstreamWritePath.start(upstream[0], "demo-site", writePathSecret);
                    return KeycloakServerSpec.builder("replica")
                            .realmImport(artifacts.realmFile("acme-realm.json"))
                            .env("REPLICA_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers())
                            .env("REPLICA_CONSUMER_GROUP", "demo-site")
                            .env("REPLICA_WRITE_PATH_URL", writePath[0].url())
                            .env("REPLICA_WRITE_PATH_CLIENT_ID", "demo-site")
                            .env("REPLICA_WRITE_PATH_CLIENT_SECRET", writePathSecret)
                            .build();
                })
                .start();
        KeycloakServer keycloak = stack.keycloak("replica");

        for (Person person : PEOPLE) {
            Map<String, Object> attributes = new LinkedHashMap<>();
            attributes.put("username", person.username());
            attributes.put("email", person.username() + "@acme.example");
            attributes.put("emailVerified", true);
            attributes.put("firstName", person.first());
            attributes.put("lastName", person.last());
            attributes.put("enabled", true);
            attributes.put("realmRoles", person.roles());
            attributes.put("groups", person.groups());
            attributes.put("department", List.of("site-a"));
            upstream[0].upsert(person.subject(), attributes);
            upstream[0].password(person.subject(), "pw-" + person.subject(), PASSWORD);
        }
        // The link first: a sign-in before it is CONNECTED would be recorded as a severed sign-in.
        awaitLinkConnected(keycloak);
        awaitSignIn(keycloak.baseUrl(), "alice");

        String alice = PEOPLE.stream().filter(p -> p.username().equals("alice")).findFirst().orElseThrow().subject();
        AdminRestExamples adminRest = AdminRestExamples.fromReadme(artifacts.readme())
                .with(AdminRestExamples.BASE_URL, keycloak.baseUrl().toString())
                .with(AdminRestExamples.REALM, REALM)
                .with(AdminRestExamples.SUBJECT, alice);
        System.out.printf("%n"
                        + "================ keycloak-replica demo is running (ready in %d s) ================%n"
                        + "Admin console:   %s/admin/master/console/#/%s/users%n"
                        + "                 sign in as %s / %s; the users came from Kafka and are read-only here%n"
                        + "Account console: %s/realms/%s/account%n"
                        + "                 sign in as alice / %s (also bob, carol); a new password or OTP set there goes to%n"
                        + "                 the upstream's write path (%s) and is stored once the upstream confirms it%n"
                        + "Kafka:           %s, topics %s%n"
                        + "Logs:            %s%n"
                        + "Link:            the upstream sends a heartbeat every %d s; press Enter to stop or resume them and watch%n"
                        + "                 the sign-in page and the link (the /replica/link call below)%n"
                        + "Admin REST:      it wants an admin's token (a browser gets 401); README's \"Admin REST from a shell\" for%n"
                        + "                 this demo: the link, the lag, the operations, a targeted sync of alice, what it holds on her%n"
                        + "%s"
                        + "Press Ctrl-C to stop everything.%n",
                Duration.between(started, Instant.now()).toSeconds(),
                keycloak.baseUrl(), REALM, keycloak.adminUsername(), keycloak.adminPassword(),
                keycloak.baseUrl(), REALM, PASSWORD, writePath[0].url(),
                stack.broker().bootstrapServers(), upstream[0].topics().deltas(),
                keycloak.logFile(), HEARTBEAT.toSeconds(), adminRest.script());

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("keycloak-replica demo: stopping...");
            writePath[0].close();
            upstream[0].close();
            stack.close();
        }, "demo-shutdown"));
        // Runs until the JVM is asked to stop (Ctrl-C); the hook above then stops every server. Each Enter
        // cuts or restores the heartbeats, which is what a WAN cut looks like to the replica.
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                if (upstream[0].heartbeating()) {
                    upstream[0].stopHeartbeats();
                    System.out.println("heartbeats stopped: the site goes SEVERED within the severance threshold (15 s)");
                } else {
                    upstream[0].startHeartbeats(HEARTBEAT);
                    System.out.println("heartbeats resumed: RECOVERING after the stabilization window (30 s), then CONNECTED");
                }
            }
        }
        Thread.currentThread().join();
    }

    /**
     * Waits until the link to the upstream is CONNECTED, saying what it waits for: before that, the sign-in page
     * tells a newcomer that the site works without its link, credential changes are refused, and every sign-in is
     * recorded as a severed one. A replica that starts on a healthy link needs one stabilization window after its
     * first heartbeat; the bound leaves room for a slow machine and fails with the state and its cause.
     */
    private static void awaitLinkConnected(KeycloakServer keycloak) throws InterruptedException {
        KeycloakHttp http = new KeycloakHttp(keycloak.baseUrl(), keycloak.adminUsername(), keycloak.adminPassword());
        Instant started = Instant.now();
        Instant deadline = started.plus(LINK_WAIT);
        String reported = null;
        while (true) {
            KeycloakHttp.Response links = http.admin("GET", REALM + "/replica/link?history=0", null);
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
                System.out.printf("waiting for the link to the upstream to be CONNECTED: heartbeats fresh and the replica caught up "
                        + "for a whole stabilization window (%d s)...%n", link.path("stabilizationWindowSeconds").asLong());
            }
            if (!state.equals(reported)) {
                System.out.printf("  link %s: %s%n", state, link.path("cause").asText(""));
                reported = state;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the link did not become CONNECTED within " + LINK_WAIT.toSeconds() + " s: it is " + state
                        + " (" + link.path("cause").asText("") + "). The Keycloak log is " + keycloak.logFile());
            }
            Thread.sleep(500);
        }
    }

    /** Waits until the replicated password really signs in, so what is printed works when it is printed. */
    private static void awaitSignIn(URI baseUrl, String username) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String form = "grant_type=password&client_id=replica-public&scope=openid&username=" + username + "&password="
                + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/realms/" + REALM + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException(username + " could not sign in within 60 s; see " + baseUrl);
    }
}
