package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static io.github.keycloakreplica.it.PrimarySite.send;
import static io.github.keycloakreplica.it.PrimarySite.signIn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The primary realm serves the credential write path itself (issue 17): the shared site's replica is pointed at it
 * ({@link PrimarySite#writePathUrl()}), so a password set at the replica is set by the primary, through its policy
 * and hashing, and signs in at both at once. Called directly, as a site calls it, the write path replays an answer
 * for a repeated Idempotency-Key, refuses a stale version, and lets in only a client holding the realm role
 * replica-site; every change is a user event at the primary naming the site's client.
 */
@ExtendWith(PrimaryStack.class)
class PrimaryWritePathIT {

    private static final String PASSWORD = "correct horse battery staple";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void aPasswordSetAtTheReplicaIsSetByThePrimaryAndSignsInAtBothAtOnce(PrimarySite site) {
        String username = People.uniqueName("wp-reset");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        awaitConnected(site);

        String changed = "a new horse, battery and staple";
        send(site.replica(), "PUT", "users/" + id + "/reset-password", Map.of("type", "password", "value", changed, "temporary", false));

        // At once: the replica stored what the primary confirmed, in the request that asked.
        assertThat(signIn(site.replica(), username, changed).status()).as("the new password at the replica").isEqualTo(200);
        assertThat(signIn(site.primary(), username, changed).status()).as("the new password at the primary").isEqualTo(200);
        assertThat(signIn(site.primary(), username, PASSWORD).status()).as("the old password at the primary").isNotEqualTo(200);
        assertThat(signIn(site.replica(), username, PASSWORD).status()).as("the old password at the replica").isNotEqualTo(200);

        JsonNode audit = get(site.primary(), "events?type=UPDATE_PASSWORD&user=" + id);
        assertThat(audit).as("the primary's audit of the change").isNotEmpty();
        assertThat(audit.get(0).get("clientId").asText()).isEqualTo(PrimarySite.SITE_CLIENT);
        assertThat(audit.get(0).at("/details/replica_site").asText()).isNotBlank();
        assertThat(audit.toString()).doesNotContain(changed);
    }

    @Test
    void thePrimarysPolicyRefusesAPasswordTheSiteAcceptedAndThePersonAtTheSiteReadsItsWords(PrimarySite site) {
        String username = People.uniqueName("wp-policy");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        awaitConnected(site);
        String policy = site.primary().admin("GET", REALM, null).json().get("passwordPolicy").asText();
        setPolicy(site, policy + " and length(40)");
        try {
            KeycloakHttp.Response refused = site.replica().admin("PUT", REALM + "/users/" + id + "/reset-password",
                    Map.of("type", "password", "value", "twelve chars", "temporary", false));

            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.json().path("error_description").asText()).as("the primary's own words")
                    .contains("Invalid password: minimum length 40.");
            assertThat(signIn(site.primary(), username, PASSWORD).status()).as("nothing changed at the primary").isEqualTo(200);
            assertThat(signIn(site.replica(), username, PASSWORD).status()).as("nothing changed at the replica").isEqualTo(200);
        } finally {
            setPolicy(site, policy);
        }
    }

    @Test
    void theSameIdempotencyKeyGetsTheSameAnswerAndAStaleVersionIsRefused(PrimarySite site) throws Exception {
        String username = People.uniqueName("wp-replay");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);

        Map<String, Object> change = request(id, "password.set");
        change.put("password", "replayed horse battery staple");
        Answer first = call(site, PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, change);
        Answer again = call(site, PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, change);

        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(again).as("the same answer, the same events").isEqualTo(first);
        JsonNode events = KeycloakHttp.JSON.readTree(first.body()).get("events");
        assertThat(events).hasSize(1);
        JsonNode credential = events.get(0).at("/data/credential");
        assertThat(events.get(0).get("type").asText()).isEqualTo("replica.credential.upserted");
        assertThat(events.get(0).get("subject").asText()).isEqualTo(id);
        assertThat(first.body()).doesNotContain("replayed horse battery staple");
        assertThat(signIn(site.primary(), username, "replayed horse battery staple").status()).isEqualTo(200);
        site.awaitSignInAtReplica(username, "replayed horse battery staple");

        // Two at once with a new key: the second waits for the first and gives its answer; the password changes once.
        Map<String, Object> twice = request(id, "password.set");
        twice.put("password", "concurrent horse battery staple");
        java.util.concurrent.CompletableFuture<Answer> one = java.util.concurrent.CompletableFuture.supplyAsync(() -> callUnchecked(site, twice));
        java.util.concurrent.CompletableFuture<Answer> other = java.util.concurrent.CompletableFuture.supplyAsync(() -> callUnchecked(site, twice));
        assertThat(one.get().status()).as(one.get().toString()).isEqualTo(200);
        assertThat(other.get()).as("the concurrent request's answer").isEqualTo(one.get());
        credential = KeycloakHttp.JSON.readTree(one.get().body()).at("/events/0/data/credential");

        Map<String, Object> stale = request(id, "credential.relabel");
        stale.put("credential", Map.of("id", credential.get("id").asText(), "type", "password",
                "version", credential.get("version").asLong() - 1, "userLabel", "old laptop"));
        Answer conflict = call(site, PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, stale);
        assertThat(conflict.status()).as(conflict.toString()).isEqualTo(409);
        assertThat(conflict.body()).contains("changed at acme since the site saw it");

        Map<String, Object> current = request(id, "credential.relabel");
        current.put("credential", Map.of("id", credential.get("id").asText(), "type", "password",
                "version", credential.get("version").asLong(), "userLabel", "old laptop"));
        Answer relabelled = call(site, PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, current);
        assertThat(relabelled.status()).as(relabelled.toString()).isEqualTo(200);
        assertThat(KeycloakHttp.JSON.readTree(relabelled.body()).at("/events/0/data/credential/version").asLong())
                .as("the relabel's version, exactly one more").isEqualTo(credential.get("version").asLong() + 1);
    }

    @Test
    void anOtpCreatedThroughTheWritePathSignsInAtThePrimaryAndTheReplica(PrimarySite site) throws Exception {
        String username = People.uniqueName("wp-otp");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        String secret = "write-path-otp-" + UUID.randomUUID();
        KeycloakCredentials.Stored otp = KeycloakCredentials.totp(secret);

        Map<String, Object> change = request(id, "credential.create");
        change.put("credential", Map.of("type", "otp", "userLabel", "Phone", "credentialData", otp.credentialData(),
                "secretData", otp.secretData()));
        Answer created = call(site, PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, change);

        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        assertThat(KeycloakHttp.JSON.readTree(created.body()).at("/events/0/data/credential/type").asText()).isEqualTo("otp");
        assertThat(signInWithOtp(site.primary(), username, secret).status()).as("the OTP at the primary").isEqualTo(200);
        KeycloakHttp.Response atReplica = site.awaitReplica("the OTP at the replica", PROPAGATION,
                () -> signInWithOtp(site.replica(), username, secret), r -> r.status() == 200);
        assertThat(atReplica.status()).isEqualTo(200);
        assertThat(PrimarySite.signIn(site.primary(), username, PASSWORD).status()).as("the password alone no longer, at the primary")
                .isNotEqualTo(200);
        assertThat(PrimarySite.signIn(site.replica(), username, PASSWORD).status()).as("the password alone no longer, at the replica")
                .isNotEqualTo(200);
    }

    /** A password grant with the current TOTP code, which Keycloak's direct grant flow asks of a person with an OTP. */
    static KeycloakHttp.Response signInWithOtp(KeycloakHttp keycloak, String username, String secret) {
        return signInWithOtp(keycloak, username, secret, 0);
    }

    /** The same with the code of a later time, {@code ahead} milliseconds from now. */
    static KeycloakHttp.Response signInWithOtp(KeycloakHttp keycloak, String username, String secret, long ahead) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", PrimarySite.CONFIDENTIAL_CLIENT);
        form.put("client_secret", PrimarySite.CLIENT_SECRET);
        form.put("username", username);
        form.put("password", PASSWORD);
        form.put("totp", KeycloakCredentials.totpCode(secret, System.currentTimeMillis() + ahead));
        return keycloak.postForm(keycloak.baseUrl() + "/realms/" + REALM + "/protocol/openid-connect/token", form);
    }

    @Test
    void onlyAConfidentialClientHoldingTheSiteRoleMayCallIt(PrimarySite site) throws Exception {
        String id = site.createAtPrimary(PrimarySite.person(People.uniqueName("wp-auth"), PASSWORD));
        String clientId = People.uniqueName("wp-no-role");
        Map<String, Object> client = new LinkedHashMap<>();
        client.put("clientId", clientId);
        client.put("publicClient", false);
        client.put("serviceAccountsEnabled", true);
        client.put("secret", "no-role-secret");
        send(site.primary(), "POST", "clients", client);
        try {
            Map<String, Object> change = request(id, "password.set");
            change.put("password", "not to be set by this client");

            assertThat(call(site, clientId, "no-role-secret", change).status()).as("no replica-site role").isEqualTo(403);
            assertThat(call(site, PrimarySite.SITE_CLIENT, "wrong secret", change).status()).as("a wrong secret").isEqualTo(401);
            assertThat(signIn(site.primary(), get(site.primary(), "users/" + id).get("username").asText(), PASSWORD).status())
                    .as("nothing changed").isEqualTo(200);
        } finally {
            send(site.primary(), "DELETE", "clients/" + PrimarySite.clientUuid(site.primary(), clientId), null);
        }
    }

    record Answer(int status, String body) {
    }

    /** A site changes credentials only while its link is CONNECTED; the shared site's replica gets there once after it starts. */
    static void awaitConnected(PrimarySite site) {
        site.awaitReplica("the replica's link CONNECTED", Duration.ofSeconds(90),
                () -> get(site.replica(), "replica/link").get(0).path("state").asText(), "CONNECTED"::equals);
    }

    private static void setPolicy(PrimarySite site, String policy) {
        KeycloakHttp.Response r = site.primary().admin("PUT", REALM, Map.of("passwordPolicy", policy));
        assertThat(r.status()).as("the primary's password policy: " + r).isEqualTo(204);
    }

    static Answer call(PrimarySite site, String clientId, String secret, Map<String, Object> change)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(site.writePathUrl()))
                .timeout(PROPAGATION)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", (String) change.get("id"))
                .POST(HttpRequest.BodyPublishers.ofString(KeycloakHttp.JSON.writeValueAsString(change)))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body());
    }

    private static Answer callUnchecked(PrimarySite site, Map<String, Object> change) {
        try {
            return call(site, PrimarySite.SITE_CLIENT, PrimarySite.SITE_SECRET, change);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static Map<String, Object> request(String subject, String change) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", UUID.randomUUID().toString());
        request.put("site", "it-site");
        request.put("subject", subject);
        request.put("change", change);
        return request;
    }
}
