package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stack.upstream.UpstreamWritePath;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authoritative write path on the real stack: while the link is CONNECTED, a credential change made
 * at the site goes to the authority over HTTP, and the replica stores exactly what the authority
 * confirms (the events it published), never what was typed here; a refusal or a missing answer leaves
 * everything as it was and says why.
 */
@ExtendWith(ReplicaStack.class)
class WritePathIT {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String OTP_SECRET = "JBSWY3DPEHPK3PXP";
    private static final String CLIENT_ID = "site-writepath";
    private static final String CLIENT_SECRET = "write-path-s3cret";

    @Test
    void whileConnectedCredentialChangesGoThroughTheAuthorityAndOnlyWhatItConfirmsIsStored(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "writepath", true)) {
            Upstream upstream = realm.upstream(2).startHeartbeats(Duration.ofMillis(500));
            try (UpstreamWritePath hq = UpstreamWritePath.start(upstream, CLIENT_ID, CLIENT_SECRET).minimumPasswordLength(12)) {
                Map<String, String> settings = new HashMap<>(TestRealm.linkSettings(3, 3));
                settings.putAll(hq.componentSettings());
                settings.put("writePathTimeoutSeconds", "2");
                String componentId = realm.replicate(upstream, settings);
                // The secret is stored, never shown again.
                JsonNode component = site.keycloak().admin("GET", realm.name + "/components/" + componentId, null).json();
                assertThat(component.at("/config/writePathClientSecret/0").asText()).isNotEqualTo(CLIENT_SECRET);

                String subject = UUID.randomUUID().toString();
                String username = People.uniqueName("wp");
                upstream.upsert(subject, Map.of("username", username, "enabled", true));
                // A password only, for now: with an OTP, the realm's direct grant would want a code per token.
                upstream.password(subject, "pw-" + subject, PASSWORD);
                String userId = realm.awaitUser(username, u -> true).get("id").asText();
                site.awaitToken(realm.name, username, PASSWORD);
                JsonNode link = realm.awaitLink("CONNECTED", Duration.ofSeconds(30));
                assertThat(link.get("writePath").asText()).isEqualTo(hq.url());
                assertThat(link.get("credentialWritesAllowed").asBoolean()).isTrue();

                // A new password: confirmed by the authority, stored here as the authority published it.
                String passwordId = credentialId(realm.credentials(userId), "password");
                KeycloakHttp.Response reset = resetPassword(site, realm, userId, "a new passphrase from the site", false);
                assertThat(reset.status()).as(reset.toString()).isEqualTo(204);
                CredentialChangeRequest sent = hq.received().get(0);
                assertThat(sent.change()).isEqualTo(CredentialChangeRequest.Change.SET_PASSWORD);
                assertThat(sent.subject()).isEqualTo(subject);
                assertThat(sent.site()).isEqualTo(realm.name);
                assertThat(upstream.credentialVersion(subject, "pw-" + subject)).isEqualTo(2);
                // In effect when the administrator has the answer: applied in the admin's request (unless the stream was faster).
                assertThat(token(site, realm, username, "a new passphrase from the site")).isEqualTo(200);
                assertThat(token(site, realm, username, PASSWORD)).isEqualTo(400);
                assertThat(credentialId(realm.credentials(userId), "password")).as("the authority replaced the password").isEqualTo(passwordId);
                // The stream delivers the same event too: whichever copy comes second is a duplicate, not a second change.
                Awaitility.await("the stream's copy of the confirmed event").atMost(ReplicaSite.APPLY_TIMEOUT)
                        .until(() -> outcomes(realm, subject).contains("duplicate"));
                assertThat(realm.subject(subject).orElseThrow().get("eventLog")).as("the subject's event log")
                        .anySatisfy(line -> assertThat(line.path("origin").asText()).startsWith("write path request " + sent.id()));

                // The authority's own policy says no: its words reach the administrator, nothing changes.
                JsonNode before = realm.credentials(userId);
                KeycloakHttp.Response tooShort = resetPassword(site, realm, userId, "short-pw-1", false);
                assertRefused(tooShort, 400, "replica_upstream_refused", "at least 12 characters");
                assertThat(realm.credentials(userId)).isEqualTo(before);
                assertThat(token(site, realm, username, "short-pw-1")).isEqualTo(400);

                // A temporary password cannot be set here (required actions are the authority's); the confirmed
                // password itself arrives through the stream.
                KeycloakHttp.Response temporary = resetPassword(site, realm, userId, "temporary from the site", true);
                assertThat(temporary.status()).as(temporary.toString()).isEqualTo(400);
                assertThat(temporary.json().path("error_description").asText()).contains("was confirmed by", "Temporary off");
                site.awaitToken(realm.name, username, "temporary from the site");

                // The authority fails: unconfirmed, refused, nothing stored.
                before = realm.credentials(userId);
                hq.fail(503);
                assertRefused(resetPassword(site, realm, userId, "while HQ is failing", false), 503, "replica_change_unconfirmed", "answered HTTP 503");
                hq.recover();
                assertThat(realm.credentials(userId)).isEqualTo(before);

                // Relabel and removal of an OTP: each confirmed upstream, applied here.
                upstream.totp(subject, "otp-" + subject, OTP_SECRET, "phone");
                Awaitility.await("the OTP of " + username).atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.credentials(userId).size() == 2);
                String otpId = credentialId(realm.credentials(userId), "otp");
                KeycloakHttp.Response relabel = site.keycloak().adminText("PUT", realm.name + "/users/" + userId + "/credentials/" + otpId
                        + "/userLabel", "new phone");
                assertThat(relabel.status()).as(relabel.toString()).isEqualTo(204);
                assertThat(credential(realm.credentials(userId), "otp").path("userLabel").asText()).isEqualTo("new phone");
                assertThat(upstream.credentials(subject)).anySatisfy(c -> assertThat(c.userLabel()).isEqualTo("new phone"));

                // The order of credentials is not part of the stream: refused even when connected.
                assertRefused(site.keycloak().admin("POST", realm.name + "/users/" + userId + "/credentials/" + otpId + "/moveToFirst", null),
                        409, "replica_credential_order_upstream", "cannot be changed at this site");

                // The authority is too slow: the person has an answer within the timeout, and nothing is stored here;
                // the authority carries the removal out late, and the stream brings it.
                before = realm.credentials(userId);
                hq.delay(Duration.ofSeconds(5));
                Instant asked = Instant.now();
                assertRefused(site.keycloak().admin("DELETE", realm.name + "/users/" + userId + "/credentials/" + otpId, null),
                        503, "replica_change_unconfirmed", "could not be reached");
                assertThat(Duration.between(asked, Instant.now())).as("answer within the write path timeout").isLessThan(Duration.ofSeconds(4));
                assertThat(realm.credentials(userId)).isEqualTo(before);
                hq.recover();
                Awaitility.await("the late removal, through the stream").atMost(ReplicaSite.APPLY_TIMEOUT)
                        .until(() -> realm.credentials(userId).size() == 1);

                // A removal confirmed in time is applied at once.
                upstream.totp(subject, "otp2-" + subject, OTP_SECRET, "tablet");
                Awaitility.await("the second OTP").atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.credentials(userId).size() == 2);
                String secondOtp = credentialId(realm.credentials(userId), "otp");
                KeycloakHttp.Response removed = site.keycloak().admin("DELETE", realm.name + "/users/" + userId + "/credentials/" + secondOtp, null);
                assertThat(removed.status()).as(removed.toString()).isEqualTo(204);
                assertThat(realm.credentials(userId)).extracting(c -> c.get("type").asText()).containsExactly("password");
                assertThat(upstream.credentials(subject)).extracting(c -> c.type()).containsExactly("password");

                // Each refusal is an event of the person.
                JsonNode events = site.keycloak().admin("GET", realm.name + "/events?user=" + userId
                        + "&type=UPDATE_CREDENTIAL_ERROR&type=REMOVE_CREDENTIAL_ERROR&max=50", null).json();
                assertThat(events).extracting(e -> e.path("details").path("reason").asText())
                        .contains("replica_upstream_refused", "replica_change_unconfirmed", "replica_credential_order_upstream");
            }
        }
    }

    static KeycloakHttp.Response resetPassword(ReplicaSite site, TestRealm realm, String userId, String password, boolean temporary) {
        return site.keycloak().admin("PUT", realm.name + "/users/" + userId + "/reset-password",
                Map.of("type", "password", "value", password, "temporary", temporary));
    }

    private static int token(ReplicaSite site, TestRealm realm, String username, String password) {
        return site.keycloak().passwordGrant(realm.name, ReplicaSite.CONFIDENTIAL_CLIENT, ReplicaSite.CLIENT_SECRET, username, password).status();
    }

    private static List<String> outcomes(TestRealm realm, String subject) {
        return realm.subject(subject).map(s -> {
            List<String> outcomes = new ArrayList<>();
            s.get("eventLog").forEach(line -> outcomes.add(line.get("outcome").asText()));
            return outcomes;
        }).orElse(List.of());
    }

    private static JsonNode credential(JsonNode credentials, String type) {
        for (JsonNode credential : credentials) {
            if (type.equals(credential.get("type").asText())) {
                return credential;
            }
        }
        throw new AssertionError("no " + type + " credential in " + credentials);
    }

    private static String credentialId(JsonNode credentials, String type) {
        return credential(credentials, type).get("id").asText();
    }

    static void assertRefused(KeycloakHttp.Response response, int status, String error, String text) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.json().path("error").asText()).as(response.toString()).isEqualTo(error);
        assertThat(response.json().path("error_description").asText()).as(response.toString()).contains(text);
    }
}
