package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import org.awaitility.Awaitility;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.PUBLIC_CLIENT;
import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A replicated TOTP secret is checked by Keycloak's own OTP validator in the browser flow: the
 * realm's default flow asks for the code because the user has an OTP credential.
 */
@ExtendWith(ReplicaStack.class)
class OtpBrowserLoginIT {

    @Test
    void aReplicatedOtpCredentialIsAcceptedWithTheRightCodeAndRefusedWithAWrongOne(ReplicaSite site) {
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("dana");
        String secret = "JBSWY3DPEHPK3PXP-" + UUID.randomUUID();
        site.upstream().upsert(subject, People.person(username));
        site.upstream().password(subject, UUID.randomUUID().toString(), "dana's password");
        site.upstream().totp(subject, UUID.randomUUID().toString(), secret, "Phone");
        site.awaitUser(username, u -> true);
        awaitCredentials(site, subject, "password", "otp");

        BrowserFlow browser = new BrowserFlow(site.keycloak().baseUrl(), REALM, PUBLIC_CLIENT);
        Document login = browser.start();
        Document otpPage = browser.submit(login, "#kc-form-login", Map.of("username", username, "password", "dana's password"));
        assertThat(otpPage).as("an OTP page after the password").isNotNull();
        assertThat(otpPage.selectFirst("input[name=otp]")).as("OTP input on:\n" + otpPage.body().text()).isNotNull();

        Document refused = browser.submit(otpPage, "#kc-otp-login-form", Map.of("otp", wrongCode(secret)));
        assertThat(refused).isNotNull();
        assertThat(refused.text()).contains("Invalid authenticator code");
        assertThat(browser.code()).isNull();

        Document done = browser.submit(refused, "#kc-otp-login-form", Map.of("otp", KeycloakCredentials.totpCode(secret, System.currentTimeMillis())));
        assertThat(done).as("redirected to the client").isNull();
        String code = browser.code();
        assertThat(code).isNotBlank();
        KeycloakHttp.Response tokens = browser.exchange(site.keycloak(), code);
        assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
        JsonNode claims = KeycloakHttp.claims(tokens.json().get("access_token").asText());
        assertThat(claims.get("sub").asText()).isEqualTo(subject);
    }

    private static String wrongCode(String secret) {
        String right = KeycloakCredentials.totpCode(secret, System.currentTimeMillis());
        return right.equals("000000") ? "111111" : "000000";
    }

    static void awaitCredentials(ReplicaSite site, String userId, String... types) {
        Awaitility.await("credentials of " + userId)
                .atMost(ReplicaSite.APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    JsonNode credentials = site.keycloak().admin("GET", REALM + "/users/" + userId + "/credentials", null).json();
                    return People.names(credentials, "type").containsAll(List.of(types));
                });
    }
}
