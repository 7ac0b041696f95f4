package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stream.Topics;
import org.awaitility.Awaitility;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static io.github.keycloakreplica.it.PrimarySite.CLIENT_SECRET;
import static io.github.keycloakreplica.it.PrimarySite.CONFIDENTIAL_CLIENT;
import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The issue's "no password hash, OTP secret or other secret in the primary's log, events, metrics or admin
 * REST", for the replica too: people are created at the primary with passwords and an OTP, one gets a new
 * password; through the primary's write path one gets a password typed at the replica and one sets up an OTP on the
 * replica's page; they sign in at both servers (once with a wrong password), a full sync runs at the replica; then
 * none of their typed passwords, password hashes, salts or OTP seed, as the primary stored and published them,
 * is in either server's log, admin or user events, metrics, or any answer of the replica and publisher
 * resources. The same search finds each of them where they legitimately are (the published credential
 * records) and where one was planted, so an empty finding means something.
 */
@ExtendWith(PrimaryStack.class)
class NoSecretsIT {

    private static final String REPLICA_DOCUMENT = "openapi/replica-admin.openapi.json";
    /** The publisher's resource has its own document once its contract is written down; until then, its one path. */
    private static final String PUBLISHER_DOCUMENT = "openapi/replica-publisher-admin.openapi.json";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The realm's TOTP period (Keycloak's default). */
    private static final Duration TOTP_STEP = Duration.ofSeconds(30);

    private record Person(String username, String id, String password, String otpSecret) {
    }

    @Test
    void noHashSaltTypedPasswordOrOtpSeedLeavesTheStoreOrTheStream(PrimarySite site) throws IOException {
        String otpSecret = "NoSecretsSeed" + UUID.randomUUID().toString().replace("-", "");
        Person withOtp = create(site, "nosecret-otp", otpSecret);
        Person beforeReset = create(site, "nosecret-reset", null);
        Person plain = create(site, "nosecret-plain", null);
        String firstPassword = beforeReset.password();
        Person reset = new Person(beforeReset.username(), beforeReset.id(), "second " + UUID.randomUUID(), null);
        send(site.primary(), "PUT", "users/" + reset.id() + "/reset-password", Map.of("type", "password", "value", reset.password(),
                "temporary", false));
        // Through the primary's write path (issue 17): a password an administrator types at the replica, and an OTP a
        // person sets up on the replica's page, whose seed travels to the primary in the change request.
        Person beforeReplicaReset = create(site, "nosecret-wpreset", null);
        Person beforeReplicaOtp = create(site, "nosecret-wpotp", null);
        Awaitility.await("both at the replica").atMost(PROPAGATION).pollInterval(Duration.ofMillis(250))
                .until(() -> signIn(site.replica(), beforeReplicaReset).status() == 200 && signIn(site.replica(), beforeReplicaOtp).status() == 200);
        PrimaryWritePathIT.awaitConnected(site);
        Person replicaReset = new Person(beforeReplicaReset.username(), beforeReplicaReset.id(), "typed at the replica " + UUID.randomUUID(),
                null);
        KeycloakHttp.Response replicaResetAnswer = site.replica().admin("PUT", REALM + "/users/" + replicaReset.id() + "/reset-password",
                Map.of("type", "password", "value", replicaReset.password(), "temporary", false));
        assertThat(replicaResetAnswer.status()).as("reset-password at the replica: " + replicaResetAnswer).isEqualTo(204);
        Person replicaOtp = configureTotpAtTheReplica(site, beforeReplicaOtp);
        // Both went through the write path: the primary's audit names the site's client (a search of changes that stayed
        // at the replica would prove nothing about the write path).
        for (Map.Entry<String, Person> change : Map.of("UPDATE_PASSWORD", replicaReset, "UPDATE_CREDENTIAL", replicaOtp).entrySet()) {
            JsonNode audit = PrimarySite.get(site.primary(), "events?type=" + change.getKey() + "&user=" + change.getValue().id());
            assertThat(audit).as(change.getKey() + " at the primary").isNotEmpty();
            assertThat(audit.get(0).path("clientId").asText()).isEqualTo(PrimarySite.SITE_CLIENT);
        }
        List<Person> people = List.of(withOtp, reset, plain, replicaReset, replicaOtp);

        for (Person person : people) {
            assertThat(signIn(site.primary(), person).status()).as("sign-in of " + person.username() + " at the primary").isEqualTo(200);
            // The replica took the code of the set-up's time step; the realm's look-ahead of one step accepts the next.
            long ahead = person == replicaOtp ? TOTP_STEP.toMillis() : 0;
            Awaitility.await("sign-in of " + person.username() + " at the replica")
                    .atMost(PROPAGATION)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> signIn(site.replica(), person, ahead).status() == 200);
        }
        Person wrong = new Person(plain.username(), plain.id(), "wrong " + UUID.randomUUID(), null);
        ReplicationIT.assertRefused(signIn(site.primary(), wrong), "Invalid user credentials");
        ReplicationIT.assertRefused(signIn(site.replica(), wrong), "Invalid user credentials");
        String operation = fullSyncAtTheReplica(site);

        // What Keycloak stored, as the publisher put it on the stream (the primary's admin REST never shows secretData).
        SecretSearch search = new SecretSearch();
        StringBuilder published = new StringBuilder();
        Topics topics = new Topics(PrimarySite.TOPIC_PREFIX);
        for (Person person : people) {
            search.add("typed password of " + person.username(), person.password());
            int expected = person == plain ? 1 : 2;
            for (JsonNode event : credentialRecords(site, topics.credentials(), person.id(), expected)) {
                published.append(event).append('\n');
                JsonNode credential = event.at("/data/credential");
                JsonNode secretData = KeycloakHttp.JSON.readTree(credential.get("secretData").asText());
                String name = credential.get("type").asText() + " " + credential.get("id").asText() + " v" + credential.get("version").asLong()
                        + " of " + person.username();
                search.add("stored value of " + name, secretData.get("value").asText());
                if (secretData.hasNonNull("salt")) {
                    search.add("salt of " + name, secretData.get("salt").asText());
                }
            }
        }
        search.add("first typed password of " + reset.username(), firstPassword);
        search.add("first typed password of " + replicaReset.username(), beforeReplicaReset.password());
        search.add("OTP seed set up at the replica", replicaOtp.otpSecret());
        search.add("typed wrong password", wrong.password());
        search.add("OTP seed as set", otpSecret);
        assertThat(search.secrets()).as("secrets: 5 typed passwords, 2 first ones and the wrong one, 2 seeds, 5 + 2 hashes with salts, "
                + "2 OTPs' stored values").hasSize(5 + 3 + 2 + 7 * 2 + 2);

        Map<String, String> texts = texts(site, people, operation);
        texts.put("replica reset-password answer", replicaResetAnswer.body());

        // The search can fail: it finds every stored secret where it legitimately is, and each form of one planted in a log.
        List<String> typed = search.secrets().keySet().stream().filter(n -> n.contains("typed")).toList();
        assertThat(search.missingFrom(published.toString())).as("stored secrets not found in the published credential records")
                .containsExactlyInAnyOrderElementsOf(typed);
        String planted = texts.get("primary server.log");
        for (String form : SecretSearch.forms(reset.password()).values()) {
            planted += "\n2026-01-01 INFO [control] " + form + "\n";
        }
        assertThat(search.foundIn(planted)).as("a planted password in a control log").containsExactlyInAnyOrderElementsOf(
                SecretSearch.forms(reset.password()).keySet().stream().map(f -> "typed password of " + reset.username() + " (" + f + ")")
                        .toList());

        Map<String, List<String>> leaks = new LinkedHashMap<>();
        texts.forEach((where, text) -> {
            List<String> found = search.foundIn(text);
            if (!found.isEmpty()) {
                leaks.put(where, found);
            }
        });
        assertThat(leaks).as("secrets found in what operators and monitoring see").isEmpty();
    }

    private static Person create(PrimarySite site, String prefix, String otpSecret) {
        String username = People.uniqueName(prefix);
        String password = "typed " + UUID.randomUUID();
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("email", username + "@example.com");
        user.put("firstName", "No");
        user.put("lastName", "Secrets");
        user.put("enabled", true);
        List<Map<String, Object>> credentials = new ArrayList<>();
        credentials.add(Map.of("type", "password", "value", password, "temporary", false));
        if (otpSecret != null) {
            // Keycloak's stored format in the create body: admin REST cannot set an OTP otherwise.
            KeycloakCredentials.Stored otp = KeycloakCredentials.totp(otpSecret);
            credentials.add(Map.of("type", "otp", "userLabel", "phone", "secretData", otp.secretData(), "credentialData",
                    otp.credentialData()));
        }
        user.put("credentials", credentials);
        return new Person(username, site.createAtPrimary(user), password, otpSecret);
    }

    /**
     * The replica's configure-OTP page, through its browser flow: the seed Keycloak generated there goes to the primary's
     * write path, and the replica stores the credential the primary confirmed. Returns the person with their seed.
     */
    private static Person configureTotpAtTheReplica(PrimarySite site, Person person) {
        BrowserFlow browser = new BrowserFlow(site.replica().baseUrl(), REALM, "replica-public");
        Document page = browser.submit(browser.start("&kc_action=CONFIGURE_TOTP"), "#kc-form-login",
                Map.of("username", person.username(), "password", person.password()));
        assertThat(page).as("the configure-OTP page").isNotNull();
        Element seed = page.selectFirst("input[name=totpSecret]");
        assertThat(seed).as("the seed on:\n" + page.body().text()).isNotNull();
        String secret = seed.attr("value");
        Document done = browser.submit(page, "form:has(input[name=totp])", Map.of("totp",
                KeycloakCredentials.totpCode(secret, System.currentTimeMillis()), "userLabel", "phone at the replica"));
        assertThat(done).as("back at the application: " + (done == null ? "" : done.body().text())).isNull();
        assertThat(browser.code()).isNotBlank();
        return new Person(person.username(), person.id(), person.password(), secret);
    }

    /** A password grant with the TOTP code when the person has an OTP (both realms' direct grant asks for it then). */
    private static KeycloakHttp.Response signIn(KeycloakHttp keycloak, Person person) {
        return signIn(keycloak, person, 0);
    }

    /** The same with the code of a later time, {@code ahead} milliseconds from now. */
    private static KeycloakHttp.Response signIn(KeycloakHttp keycloak, Person person, long ahead) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", CONFIDENTIAL_CLIENT);
        form.put("client_secret", CLIENT_SECRET);
        form.put("username", person.username());
        form.put("password", person.password());
        if (person.otpSecret() != null) {
            form.put("otp", KeycloakCredentials.totpCode(person.otpSecret(), System.currentTimeMillis() + ahead));
        }
        return keycloak.postForm(keycloak.baseUrl() + "/realms/" + REALM + "/protocol/openid-connect/token", form);
    }

    /** A full sync at the replica reads every credential of the snapshot topics again; returns the operation's id once it ended. */
    private static String fullSyncAtTheReplica(PrimarySite site) {
        KeycloakHttp.Response started = site.replica().admin("POST", REALM + "/replica/operations", Map.of("kind", "full", "reason",
                "NoSecretsIT"));
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        String id = started.json().get("id").asText();
        JsonNode done = Awaitility.await("the full sync at the replica")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> PrimarySite.get(site.replica(), "replica/operations/" + id), o -> Set.of("SUCCEEDED", "FAILED", "CANCELLED")
                        .contains(o.path("state").asText()));
        assertThat(done.path("state").asText()).as("the full sync: " + done).isEqualTo("SUCCEEDED");
        return id;
    }

    /** The person's credential records on the topic, once there are as many distinct (id, version) as expected. */
    private static List<JsonNode> credentialRecords(PrimarySite site, String topic, String subject, int expected) {
        Set<String> seen = new HashSet<>();
        Predicate<JsonNode> all = event -> {
            JsonNode credential = event.at("/data/credential");
            if (credential.hasNonNull("secretData")) {
                seen.add(credential.get("id").asText() + "#" + credential.get("version").asLong());
            }
            return seen.size() >= expected;
        };
        List<JsonNode> events = PublishedEvents.ofSubject(site.stack().broker().bootstrapServers(), topic, subject, PROPAGATION, all);
        List<JsonNode> upserts = events.stream().filter(e -> e.at("/data/credential").hasNonNull("secretData")).toList();
        assertThat(seen).as("credential records of " + subject + ": " + events.size()).hasSize(expected);
        return upserts;
    }

    /** Everything an operator or a monitoring system reads, of both servers, by where it comes from. */
    private static Map<String, String> texts(PrimarySite site, List<Person> people, String operation) throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        Map<String, KeycloakServer> servers = Map.of("primary", site.primaryServer(), "replica", site.replicaServer());
        for (String name : List.of("primary", "replica")) {
            KeycloakServer server = servers.get(name);
            KeycloakHttp keycloak = name.equals("primary") ? site.primary() : site.replica();
            texts.put(name + " server.log", Files.readString(server.logFile()));
            texts.put(name + " admin events", answer(keycloak, REALM + "/admin-events?first=0&max=10000", 200));
            texts.put(name + " user events", answer(keycloak, REALM + "/events?first=0&max=10000", 200));
            texts.put(name + " metrics", metrics(server));
            for (Person person : people) {
                texts.put(name + " users/" + person.id(), answer(keycloak, REALM + "/users/" + person.id(), 200));
                texts.put(name + " users/" + person.id() + "/credentials", answer(keycloak, REALM + "/users/" + person.id() + "/credentials",
                        200));
            }
            for (String path : documentedReads(people, operation)) {
                // The primary has no replica component: its replica resource answers, with lists empty or 404.
                texts.put(name + " " + path, answer(keycloak, path, name.equals("replica") || path.startsWith(REALM + "/replica-publisher")
                        ? 200 : -1));
            }
        }
        // The texts hold what this test did: a search in empty answers would prove nothing.
        Person first = people.get(0);
        assertThat(texts.get("primary admin events")).as("the primary's admin events").contains(first.id()).contains(first.username());
        assertThat(texts.get("primary user events")).as("the primary's user events").contains("\"LOGIN\"").contains("\"LOGIN_ERROR\"")
                .contains(first.id());
        assertThat(texts.get("replica user events")).as("the replica's user events").contains("\"LOGIN\"").contains(first.id());
        assertThat(texts.get("primary server.log")).as("the primary's log").contains(first.id());
        assertThat(texts.get("replica server.log")).as("the replica's log").contains(first.id());
        assertThat(texts.get("replica metrics")).contains("keycloak_replica_");
        assertThat(texts.get("replica " + REALM + "/replica/subjects/" + first.id())).contains("\"credentials\"");
        assertThat(texts.get("replica " + REALM + "/replica/operations/" + operation)).contains("SUCCEEDED");
        return texts;
    }

    /**
     * Every read the replica's and the publisher's OpenAPI documents name (paths under {@code /admin/realms/}),
     * with the people's ids for a subject, the full sync for an operation, and the largest page.
     */
    private static List<String> documentedReads(List<Person> people, String operation) throws IOException {
        List<String> reads = new ArrayList<>();
        boolean publisherDocumented = false;
        for (String document : List.of(REPLICA_DOCUMENT, PUBLISHER_DOCUMENT)) {
            JsonNode openApi;
            try (InputStream in = NoSecretsIT.class.getClassLoader().getResourceAsStream(document)) {
                if (in == null) {
                    assertThat(document).as("the replica's OpenAPI document on the classpath").isEqualTo(PUBLISHER_DOCUMENT);
                    continue;
                }
                openApi = KeycloakHttp.JSON.readTree(in);
            }
            publisherDocumented |= document.equals(PUBLISHER_DOCUMENT);
            String base = openApi.at("/servers/0/url").asText().replace("{realm}", REALM).replaceFirst("^/admin/realms/", "");
            openApi.get("paths").properties().forEach(path -> {
                JsonNode get = path.getValue().get("get");
                if (get == null) {
                    return;
                }
                boolean paged = get.path("parameters").findValuesAsText("name").contains("max");
                String read = base + path.getKey() + (paged ? "?first=0&max=500" : "");
                if (read.contains("{subject}")) {
                    people.forEach(p -> reads.add(read.replace("{subject}", p.id())));
                } else if (read.contains("{id}")) {
                    reads.add(read.replace("{id}", operation));
                } else {
                    reads.add(read);
                }
            });
        }
        if (!publisherDocumented) {
            reads.add(REALM + "/replica-publisher/status");
        }
        assertThat(reads).as("documented reads").contains(REALM + "/replica/dead-letters?first=0&max=500", REALM + "/replica/link",
                REALM + "/replica-publisher/status");
        return reads;
    }

    /** An admin REST answer's body; {@code status} -1 takes any answer but a server error. */
    private static String answer(KeycloakHttp keycloak, String path, int status) {
        KeycloakHttp.Response r = keycloak.admin("GET", path, null);
        if (status < 0) {
            assertThat(r.status()).as("GET " + path + ": " + r).isLessThan(500);
        } else {
            assertThat(r.status()).as("GET " + path + ": " + r).isEqualTo(status);
        }
        return r.body();
    }

    private static String metrics(KeycloakServer server) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("metrics of " + server.name()).isEqualTo(200);
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
