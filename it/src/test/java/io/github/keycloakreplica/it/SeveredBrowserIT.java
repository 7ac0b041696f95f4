package io.github.keycloakreplica.it;

import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stack.upstream.UpstreamWritePath;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a person at a severed site sees, in real headless Chromium (Debian's chromium and chromedriver):
 * the notice on the sign-in page, and the refusal where the update-password form would be; and, at a
 * connected site with a write path, the same pages doing their work through the authority. Screenshots
 * go to {@code it/target/screenshots/}.
 */
@ExtendWith({ReplicaStack.class, Chromium.class})
class SeveredBrowserIT {

    private static final String PASSWORD = "correct horse battery staple";

    /** Opened before each test and quit after it by {@link Chromium}. */
    private WebDriver browser;

    @Test
    void theSignInPageSaysTheSiteIsSeveredAndUpdatePasswordIsRefusedWithTheReason(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "browser", true)) {
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            realm.replicate(upstream, TestRealm.linkSettings(3, 5));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("bro");
            upstream.upsert(subject, Map.of("username", username, "enabled", true, "firstName", "Bea", "lastName", "Rowser"));
            upstream.password(subject, "pw-" + subject, PASSWORD);
            realm.awaitUser(username, u -> true);
            site.awaitToken(realm.name, username, PASSWORD);
            realm.awaitLink("CONNECTED", Duration.ofSeconds(30));

            upstream.stopHeartbeats();
            realm.awaitLink("SEVERED", Duration.ofSeconds(10));

            for (String alias : new String[]{"UPDATE_PASSWORD", "CONFIGURE_TOTP", "webauthn-register", "webauthn-register-passwordless",
                    "CONFIGURE_RECOVERY_AUTHN_CODES", "delete_credential"}) {
                realm.enableRequiredAction(alias);
            }
            // Asks for UPDATE_PASSWORD after sign-in, as the account console's "update password" does.
            browser.get(authorizationUrl(site, realm, "UPDATE_PASSWORD"));
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
            String signIn = browser.findElement(By.tagName("body")).getText();
            screenshot("severed-sign-in-page");
            assertThat(signIn).contains("This site is working without its link to " + ReplicaSite.UPSTREAM_NAME)
                    .contains("You can sign in as usual");

            browser.findElement(By.id("username")).sendKeys(username);
            browser.findElement(By.id("password")).sendKeys(PASSWORD);
            browser.findElement(By.id("kc-login")).click();
            wait.until(ExpectedConditions.or(
                    ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cannot be changed at this site right now"),
                    ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI)));
            assertThat(browser.getCurrentUrl()).as("UPDATE_PASSWORD ended at the application instead of the refusal")
                    .doesNotStartWith(BrowserFlow.REDIRECT_URI);
            String refused = browser.findElement(By.tagName("body")).getText();
            screenshot("severed-update-password-refused");
            assertThat(refused).contains("Sign-in methods of " + username + " cannot be changed at this site right now")
                    .contains("its link to " + ReplicaSite.UPSTREAM_NAME + " is down");
            assertThat(browser.findElements(By.id("password-new"))).as("no form that would fail").isEmpty();

            // The other actions that change credentials, asked for by an application as the account console does.
            // A refused action ends the sign-in without a session, so each starts at the sign-in page again.
            String passwordId = realm.credentials(realm.user(username).orElseThrow().get("id").asText()).get(0).get("id").asText();
            for (String action : new String[]{"CONFIGURE_TOTP", "webauthn-register", "webauthn-register-passwordless",
                    "CONFIGURE_RECOVERY_AUTHN_CODES", "delete_credential:" + passwordId}) {
                browser.get(authorizationUrl(site, realm, action));
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
                browser.findElement(By.id("username")).sendKeys(username);
                browser.findElement(By.id("password")).sendKeys(PASSWORD);
                browser.findElement(By.id("kc-login")).click();
                wait.until(ExpectedConditions.or(
                        ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cannot be changed at this site right now"),
                        ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI)));
                assertThat(browser.getCurrentUrl()).as(action + " ended at the application instead of the refusal").doesNotStartWith(BrowserFlow.REDIRECT_URI);
                screenshot("severed-" + action.replaceAll("[^A-Za-z-]", "_") + "-refused");
                assertThat(browser.findElement(By.tagName("body")).getText()).as(action)
                        .contains("Sign-in methods of " + username + " cannot be changed at this site right now");
            }
            assertThat(realm.credentials(realm.user(username).orElseThrow().get("id").asText()))
                    .as("only the password, as before").hasSize(1);

            // Nothing changed: the old password still signs in.
            assertThat(site.keycloak().passwordGrant(realm.name, ReplicaSite.CONFIDENTIAL_CLIENT, ReplicaSite.CLIENT_SECRET, username, PASSWORD)
                    .status()).isEqualTo(200);
        }
    }

    @Test
    void theLinksKeycloakMailsEndAtTheRefusalToo(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "mailed", true); MailSink mail = new MailSink()) {
            Map<String, Object> smtp = Map.of("host", "127.0.0.1", "port", String.valueOf(mail.port()), "from", "replica@acme.example");
            assertThat(site.keycloak().admin("PUT", realm.name, Map.of("smtpServer", smtp, "resetPasswordAllowed", true)).status()).isEqualTo(204);
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            realm.replicate(upstream, TestRealm.linkSettings(3, 5));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("mail");
            String email = username + "@acme.example";
            upstream.upsert(subject, Map.of("username", username, "email", email, "emailVerified", true, "enabled", true));
            upstream.password(subject, "pw-" + subject, PASSWORD);
            // Someone with an OTP too: the forgotten-password flow's "Reset OTP" step would remove it.
            String otpSubject = UUID.randomUUID().toString();
            String otpUsername = People.uniqueName("mailotp");
            String otpEmail = otpUsername + "@acme.example";
            upstream.upsert(otpSubject, Map.of("username", otpUsername, "email", otpEmail, "emailVerified", true, "enabled", true));
            upstream.password(otpSubject, "pw-" + otpSubject, PASSWORD);
            upstream.totp(otpSubject, "otp-" + otpSubject, "JBSWY3DPEHPK3PXP", "phone");
            String userId = realm.awaitUser(username, u -> true).get("id").asText();
            String otpUserId = realm.awaitUser(otpUsername, u -> true).get("id").asText();
            site.awaitToken(realm.name, username, PASSWORD);
            Awaitility.await("both credentials of " + otpUsername).atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> realm.credentials(otpUserId).size() == 2);
            realm.awaitLink("CONNECTED", Duration.ofSeconds(30));
            upstream.stopHeartbeats();
            realm.awaitLink("SEVERED", Duration.ofSeconds(10));
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));

            // Forgotten password: the sign-in page's link, the username, the mailed link.
            requestPasswordReset(site, realm, wait, username);
            browser.get(mail.awaitActionLink(email, 0, Duration.ofSeconds(20)));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cannot be changed at this site right now"));
            screenshot("severed-forgotten-password-refused");
            assertThat(browser.findElements(By.id("password-new"))).as("no form that would fail").isEmpty();

            browser.manage().deleteAllCookies();
            requestPasswordReset(site, realm, wait, otpUsername);
            browser.get(mail.awaitActionLink(otpEmail, 0, Duration.ofSeconds(20)));
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cannot be changed at this site right now"));
            screenshot("severed-forgotten-password-with-otp-refused");
            assertThat(realm.credentials(otpUserId)).as("password and OTP, as before").hasSize(2);

            // Actions an administrator mails: update password.
            KeycloakHttp.Response sent = site.keycloak().admin("PUT",
                    realm.name + "/users/" + userId + "/execute-actions-email", List.of("UPDATE_PASSWORD"));
            assertThat(sent.status()).as(sent.toString()).isEqualTo(204);
            browser.manage().deleteAllCookies();
            browser.get(mail.awaitActionLink(email, 1, Duration.ofSeconds(20)));
            wait.until(ExpectedConditions.or(
                    ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cannot be changed at this site right now"),
                    ExpectedConditions.elementToBeClickable(By.cssSelector("a[href*='action-token'], #kc-info-message a"))));
            if (!browser.findElement(By.tagName("body")).getText().contains("cannot be changed")) {
                // Keycloak first asks the person to confirm the actions ("Click here to proceed").
                browser.findElement(By.cssSelector("a[href*='action-token'], #kc-info-message a")).click();
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "cannot be changed at this site right now"));
            }
            screenshot("severed-execute-actions-email-refused");
            assertThat(site.keycloak().passwordGrant(realm.name, ReplicaSite.CONFIDENTIAL_CLIENT, ReplicaSite.CLIENT_SECRET, username, PASSWORD)
                    .status()).isEqualTo(200);
        }
    }

    private static String authorizationUrl(ReplicaSite site, TestRealm realm, String action) throws Exception {
        String verifier = UUID.randomUUID() + "-" + UUID.randomUUID();
        String challenge = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        return site.server().baseUrl() + "/realms/" + realm.name + "/protocol/openid-connect/auth?client_id=" + ReplicaSite.PUBLIC_CLIENT
                + "&response_type=code&scope=openid&redirect_uri=" + URLEncoder.encode(BrowserFlow.REDIRECT_URI, StandardCharsets.UTF_8)
                + "&code_challenge=" + challenge + "&code_challenge_method=S256" + (action == null ? "" : "&kc_action=" + action);
    }

    @Test
    void whileConnectedThePersonsOwnPasswordAndOtpGoThroughTheAuthority(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "browserwp", true)) {
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            try (UpstreamWritePath hq = UpstreamWritePath.start(upstream, "site-browser", "browser-s3cret").minimumPasswordLength(12)) {
                Map<String, String> settings = new HashMap<>(TestRealm.linkSettings(3, 3));
                settings.putAll(hq.componentSettings());
                realm.replicate(upstream, settings);
                String subject = UUID.randomUUID().toString();
                String username = People.uniqueName("brw");
                upstream.upsert(subject, Map.of("username", username, "enabled", true, "firstName", "Wanda", "lastName", "Path"));
                upstream.password(subject, "pw-" + subject, PASSWORD);
                String userId = realm.awaitUser(username, u -> true).get("id").asText();
                site.awaitToken(realm.name, username, PASSWORD);
                realm.awaitLink("CONNECTED", Duration.ofSeconds(30));
                realm.enableRequiredAction("UPDATE_PASSWORD");
                realm.enableRequiredAction("CONFIGURE_TOTP");

                // The update-password page, as the account console opens it.
                browser.get(authorizationUrl(site, realm, "UPDATE_PASSWORD"));
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
                signIn(wait, username, PASSWORD);
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password-new")));
                // Too short for the authority: its words, on the form, to try again.
                submitNewPassword("short-pw-1");
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "was not accepted"));
                screenshot("connected-update-password-refused-upstream");
                assertThat(browser.findElement(By.tagName("body")).getText())
                        .contains("The change of sign-in methods of " + username + " was not accepted by " + ReplicaSite.UPSTREAM_NAME)
                        .contains("at least 12 characters");
                String chosen = "a passphrase chosen at the site";
                submitNewPassword(chosen);
                wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));
                assertThat(browser.getCurrentUrl()).contains("kc_action_status=success");
                assertThat(hq.received()).extracting(r -> r.change().value()).containsExactly("password.set", "password.set");
                assertThat(site.keycloak().passwordGrant(realm.name, ReplicaSite.CONFIDENTIAL_CLIENT, ReplicaSite.CLIENT_SECRET, username,
                        chosen).status()).isEqualTo(200);

                // Setting up an authenticator app: the secret Keycloak generated here goes to the authority,
                // which keeps it and publishes it; the replica stores the credential the authority confirmed.
                // The browser still has the session of the sign-in above: Keycloak goes straight to the setup page.
                browser.get(authorizationUrl(site, realm, "CONFIGURE_TOTP"));
                wait.until(ExpectedConditions.or(ExpectedConditions.visibilityOfElementLocated(By.id("totp")),
                        ExpectedConditions.visibilityOfElementLocated(By.id("username"))));
                if (!browser.findElements(By.id("username")).isEmpty()) {
                    signIn(wait, username, chosen);
                }
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp")));
                String secret = browser.findElement(By.id("totpSecret")).getAttribute("value");
                browser.findElement(By.id("totp")).sendKeys(KeycloakCredentials.totpCode(secret, System.currentTimeMillis()));
                browser.findElement(By.id("userLabel")).sendKeys("work phone");
                screenshot("connected-configure-totp");
                browser.findElement(By.id("saveTOTPBtn")).click();
                wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));
                assertThat(browser.getCurrentUrl()).contains("kc_action_status=success");
                assertThat(hq.received().get(2).change().value()).isEqualTo("credential.create");
                assertThat(upstream.credentials(subject)).anySatisfy(c -> {
                    assertThat(c.type()).isEqualTo("otp");
                    assertThat(c.userLabel()).isEqualTo("work phone");
                });
                assertThat(realm.credentials(userId)).extracting(c -> c.get("type").asText() + "/" + c.path("userLabel").asText())
                        .containsExactlyInAnyOrder("password/", "otp/work phone");
            }
        }
    }

    /** The sign-in page's "Forgot Password?" for this person: Keycloak mails them a link. */
    private void requestPasswordReset(ReplicaSite site, TestRealm realm, WebDriverWait wait, String username) throws Exception {
        browser.get(authorizationUrl(site, realm, null));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.linkText("Forgot Password?"))).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(username);
        browser.findElement(By.cssSelector("[type=submit]")).click();
    }

    private void signIn(WebDriverWait wait, String username, String password) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username")));
        browser.findElement(By.id("username")).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("kc-login")).click();
    }

    private void submitNewPassword(String password) {
        browser.findElement(By.id("password-new")).clear();
        browser.findElement(By.id("password-new")).sendKeys(password);
        browser.findElement(By.id("password-confirm")).clear();
        browser.findElement(By.id("password-confirm")).sendKeys(password);
        browser.findElement(By.id("kc-submit")).click();
    }

    private void screenshot(String name) throws IOException {
        Chromium.screenshot(browser, name);
    }
}
