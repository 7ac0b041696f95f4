package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.KeycloakServer;
import io.github.keycloakreplica.stack.KeycloakServerSpec;
import io.github.keycloakreplica.stack.LocalOpenLdap;
import io.github.keycloakreplica.stack.Stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The baseline for importing users into Keycloak: its own LDAP user federation, "Sync all users" from a real
 * OpenLDAP directory, configured through the admin REST API as the admin console would for vendor "Other".
 *
 * <p>Keycloak imports each user in a transaction of its own, so the realm's user count shows the progress.
 * The sync request itself may answer long after (or, for a large directory, fail with its transaction timeout
 * although every user was imported), so the import is timed by polling the count, and the request's own
 * answer is reported beside it.
 */
public final class LdapSyncBaseline {

    /**
     * @param imported             the realm's user count once it stopped growing (or reached the expected count)
     * @param secondsToAllImported from sending the sync request to the poll that first saw that final count
     *                             (all users if {@code imported} is the expected count); as precise as the poll interval
     * @param httpStatus           the sync request's status, or -1 if it got no answer
     * @param secondsToHttpAnswer  from sending the sync request to its answer (or failure)
     * @param httpBody             the start of the answer (Keycloak's SynchronizationResult, or an error)
     */
    public record Result(int imported, double secondsToAllImported, int httpStatus, double secondsToHttpAnswer, String httpBody) {
    }

    private static final String USER_STORAGE = "org.keycloak.storage.UserStorageProvider";
    private static final String COMPONENT_NAME = "openldap-baseline";
    /** Far beyond the ~6 minutes 100,000 users take on PostgreSQL: the answer, whatever it is, must be seen. */
    private static final Duration SYNC_REQUEST_TIMEOUT = Duration.ofMinutes(30);
    private static final long POLL_MILLIS = 2_000;
    private static final long PROGRESS_MILLIS = 10_000;
    /** After the request ended, a count unchanged this long is taken as final: the import may outlive the request. */
    private static final long SETTLE_MILLIS = 15_000;
    private static final int BODY_CHARS = 300;

    private LdapSyncBaseline() {
    }

    /**
     * Creates {@code realm} with an LDAP user federation of {@code ldap}, runs a full sync and times it until the
     * realm holds {@code expectedUsers} users, or the request ended and the count stopped growing.
     */
    public static Result run(KeycloakHttp http, LocalOpenLdap ldap, String realm, int expectedUsers) {
        check(http.admin("POST", "", Map.of("realm", realm, "enabled", true)), 201, "create realm " + realm);
        String realmId = check(http.admin("GET", encode(realm), null), 200, "read realm " + realm).json().path("id").asText();
        String componentId = createLdapComponent(http, ldap, realm, realmId);
        int before = count(http, realm);
        if (before != 0) {
            throw new IllegalStateException("Realm " + realm + " holds " + before + " users before the sync; the timing needs an empty realm");
        }
        System.out.printf("LDAP sync baseline: full sync of %,d users from %s into realm %s (component %s)%n",
                expectedUsers, ldap.url(), realm, componentId);

        // Not through KeycloakHttp: its requests time out after 60 s, long before a large sync answers.
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(http.baseUrl() + "/admin/realms/" + encode(realm)
                        + "/user-storage/" + encode(componentId) + "/sync?action=triggerFullSync"))
                .timeout(SYNC_REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                // The admin token lives 60 s by default: a fresh one, since the request is authorized when it arrives.
                .header("Authorization", "Bearer " + http.adminToken())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();

        long start = System.nanoTime();
        long[] answeredAt = {0};
        CompletableFuture<HttpResponse<String>> sync = client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .whenComplete((response, failure) -> answeredAt[0] = System.nanoTime());

        int count = 0;
        long changedAt = start;
        long nextProgress = start + TimeUnit.MILLISECONDS.toNanos(PROGRESS_MILLIS);
        boolean answerReported = false;
        while (true) {
            awaitAnswer(sync, POLL_MILLIS);
            long now = System.nanoTime();
            Integer polled = tryCount(http, realm, seconds(start, now));
            if (polled != null && polled != count) {
                count = polled;
                changedAt = now;
            }
            if (sync.isDone() && !answerReported) {
                answerReported = true;
                System.out.printf("LDAP sync baseline: the sync request answered after %.1f s (%s); %,d of %,d imported then%n",
                        seconds(start, answeredAt[0]), describe(sync), count, expectedUsers);
            }
            if (count >= expectedUsers) {
                break;
            }
            if (sync.isDone() && now - changedAt >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)
                    && now - answeredAt[0] >= TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) {
                break;
            }
            if (now >= nextProgress) {
                System.out.printf("LDAP sync baseline: %,d of %,d imported after %.0f s%n", count, expectedUsers, seconds(start, now));
                nextProgress += TimeUnit.MILLISECONDS.toNanos(PROGRESS_MILLIS);
            }
        }
        double toAllImported = seconds(start, changedAt);
        if (!sync.isDone()) {
            System.out.printf("LDAP sync baseline: %,d of %,d imported after %.1f s; waiting for the sync request to answer%n",
                    count, expectedUsers, toAllImported);
        }
        awaitAnswer(sync, SYNC_REQUEST_TIMEOUT.toMillis() + 60_000);

        int status;
        String body;
        try {
            HttpResponse<String> response = sync.join();
            status = response.statusCode();
            body = response.body();
        } catch (RuntimeException e) {
            status = -1;
            body = String.valueOf(e.getCause() != null ? e.getCause() : e);
        }
        body = body == null ? "" : body.length() > BODY_CHARS ? body.substring(0, BODY_CHARS) + "..." : body;
        Result result = new Result(count, toAllImported, status, seconds(start, answeredAt[0]), body);
        System.out.printf("LDAP sync baseline: %,d of %,d users imported in %.1f s (%.0f users/s); sync request answered HTTP %d after %.1f s: %s%n",
                result.imported(), expectedUsers, result.secondsToAllImported(),
                result.imported() / Math.max(result.secondsToAllImported(), 1e-9),
                result.httpStatus(), result.secondsToHttpAnswer(), result.httpBody().replace('\n', ' '));
        return result;
    }

    /** The component the admin console creates for vendor "Other" (see {@link LocalOpenLdap#keycloakComponentConfig()}). */
    private static String createLdapComponent(KeycloakHttp http, LocalOpenLdap ldap, String realm, String realmId) {
        Map<String, String> config = ldap.keycloakComponentConfig();
        config.put("removeInvalidUsersEnabled", "true");
        Map<String, List<String>> multivalued = new LinkedHashMap<>();
        config.forEach((key, value) -> multivalued.put(key, List.of(value)));

        check(http.admin("POST", encode(realm) + "/components", Map.of(
                "name", COMPONENT_NAME,
                "providerId", "ldap",
                "providerType", USER_STORAGE,
                "parentId", realmId,
                "config", multivalued)), 201, "create the LDAP user storage component in realm " + realm);
        // The id is only in the Location header, which KeycloakHttp does not keep; the name is unique in the realm.
        for (JsonNode component : check(http.admin("GET", encode(realm) + "/components?type=" + encode(USER_STORAGE), null),
                200, "list the user storage components of realm " + realm).json()) {
            if (COMPONENT_NAME.equals(component.path("name").asText())) {
                return component.path("id").asText();
            }
        }
        throw new IllegalStateException("The LDAP component " + COMPONENT_NAME + " was created but is not listed in realm " + realm);
    }

    /** Waits for the request to end, at most {@code millis}; whatever it ended with is read later. */
    private static void awaitAnswer(CompletableFuture<?> sync, long millis) {
        try {
            sync.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Still running, or failed: both are handled by the caller.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while timing the LDAP sync", e);
        }
    }

    private static String describe(CompletableFuture<HttpResponse<String>> sync) {
        try {
            return "HTTP " + sync.join().statusCode();
        } catch (RuntimeException e) {
            return "no answer: " + (e.getCause() != null ? e.getCause() : e);
        }
    }

    /** The count, or null if this poll failed: a busy server missing one poll must not end the measurement. */
    private static Integer tryCount(KeycloakHttp http, String realm, double atSeconds) {
        try {
            return count(http, realm);
        } catch (RuntimeException e) {
            System.out.printf("LDAP sync baseline: polling the user count of realm %s failed after %.0f s: %s%n", realm, atSeconds, e);
            return null;
        }
    }

    private static int count(KeycloakHttp http, String realm) {
        // KeycloakHttp renews its admin token before it expires, so every poll is authorized afresh.
        KeycloakHttp.Response r = check(http.admin("GET", encode(realm) + "/users/count", null), 200, "count the users of realm " + realm);
        return Integer.parseInt(r.body().trim());
    }

    private static KeycloakHttp.Response check(KeycloakHttp.Response response, int expected, String what) {
        if (response.status() != expected) {
            throw new IllegalStateException("Could not " + what + ": expected HTTP " + expected + ", got " + response);
        }
        return response;
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    /**
     * A trial run: PostgreSQL, Kafka and one Keycloak, an OpenLDAP with {@code -Dbench.ldapUsers} (default 1000)
     * users, one full sync. Needs {@code -Dreplica.stack.work.dir}.
     */
    public static void main(String[] args) {
        int users = Integer.getInteger("bench.ldapUsers", 1000);
        if (!LocalOpenLdap.available()) {
            System.err.println("LDAP sync baseline: OpenLDAP is missing; " + LocalOpenLdap.INSTALL_HINT);
            System.exit(2);
        }
        int exitCode = 1;
        Path ldapDir;
        try {
            ldapDir = Files.createTempDirectory("ldap-sync-baseline-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a temporary directory for OpenLDAP", e);
        }
        // LDAP first: it takes seconds, and a broken installation should fail before Keycloak's minute of start.
        try (LocalOpenLdap ldap = LocalOpenLdap.load(ldapDir, users);
             Stack stack = Stack.builder().postgres().keycloak(KeycloakServerSpec.builder("ldap-trial").build()).start()) {
            System.out.println("LDAP sync baseline: " + ldap + "; " + stack);
            KeycloakServer server = stack.keycloak("ldap-trial");
            KeycloakHttp http = new KeycloakHttp(server.baseUrl(), server.adminUsername(), server.adminPassword());
            Result result = run(http, ldap, "ldap-baseline", users);
            System.out.println("LDAP sync baseline: " + result);
            if (result.imported() == users && result.httpStatus() == 200) {
                exitCode = 0;
            } else {
                System.err.println("LDAP sync baseline: expected " + users + " users and HTTP 200; see " + server.logFile());
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
        if (exitCode == 0) {
            deleteQuietly(ldapDir);
        } else {
            System.err.println("LDAP sync baseline: OpenLDAP's files (slapd.log, slapadd.log) are kept in " + ldapDir);
        }
        System.exit(exitCode);
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("LDAP sync baseline: could not delete " + dir + ": " + e);
        }
    }
}
