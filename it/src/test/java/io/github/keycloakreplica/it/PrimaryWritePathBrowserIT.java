package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static io.github.keycloakreplica.it.PrimarySite.signIn;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The person's own pages at the replica of the shared site, in real headless Chromium, while the replica's write path
 * is the primary's (issue 17): a password chosen on the replica's update-password page and an authenticator app set
 * up on its configure-OTP page are set by the primary, and work at the primary and at the replica at once, without
 * waiting for the stream.
 */
@ExtendWith({PrimaryStack.class, Chromium.class})
class PrimaryWritePathBrowserIT {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String PUBLIC_CLIENT = "replica-public";
    private static final Duration PAGE = Duration.ofSeconds(30);
    /**
     * The realm's TOTP period (Keycloak's default). A code is taken once per server (the realm allows no reuse), and the
     * replica took the set-up's code; its sign-in gives the next step's code, which the realm's look-ahead of one accepts.
     */
    private static final Duration TOTP_STEP = Duration.ofSeconds(30);

    /** Opened before each test and quit after it by {@link Chromium}. */
    private WebDriver browser;

    @Test
    void aPasswordChosenOnTheReplicasUpdatePasswordPageSignsInAtThePrimaryAndTheReplicaAtOnce(PrimarySite site) throws IOException {
        String username = People.uniqueName("wpb-updpw");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        PrimaryWritePathIT.awaitConnected(site);

        // The update-password page, as the account console opens it (kc_action), at the replica.
        WebDriverWait wait = signInAtReplica(site, username, "UPDATE_PASSWORD");
        String chosen = "a passphrase chosen at the replica " + UUID.randomUUID();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password-new"))).sendKeys(chosen);
        browser.findElement(By.id("password-confirm")).sendKeys(chosen);
        browser.findElement(By.id("kc-submit")).click();
        wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));
        Chromium.screenshot(browser, "primary-write-path-update-password-done");
        assertThat(browser.getCurrentUrl()).as("the required action's outcome").contains("kc_action_status=success");

        // At once, at both: the replica stored what the primary confirmed in the request that asked.
        assertThat(signIn(site.replica(), username, chosen).status()).as("the new password at the replica").isEqualTo(200);
        assertThat(signIn(site.primary(), username, chosen).status()).as("the new password at the primary").isEqualTo(200);
        ReplicationIT.assertRefused(signIn(site.primary(), username, PASSWORD), "Invalid user credentials");
        ReplicationIT.assertRefused(signIn(site.replica(), username, PASSWORD), "Invalid user credentials");
        assertSetByThePrimaryForTheSite(site, id, "UPDATE_PASSWORD", "password.set");
    }

    @Test
    void anOtpSetUpOnTheReplicasPageSignsInAtTheReplicaAndThePrimary(PrimarySite site) throws IOException {
        String username = People.uniqueName("wpb-totp");
        String id = site.createAtPrimary(PrimarySite.person(username, PASSWORD));
        site.awaitSignInAtReplica(username, PASSWORD);
        PrimaryWritePathIT.awaitConnected(site);

        WebDriverWait wait = signInAtReplica(site, username, "CONFIGURE_TOTP");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp")));
        // The secret the replica's Keycloak generated for this page; it travels to the primary in the change request.
        String secret = browser.findElement(By.id("totpSecret")).getDomProperty("value");
        browser.findElement(By.id("totp")).sendKeys(KeycloakCredentials.totpCode(secret, System.currentTimeMillis()));
        browser.findElement(By.id("userLabel")).sendKeys("replica phone");
        browser.findElement(By.id("saveTOTPBtn")).click();
        wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));
        Chromium.screenshot(browser, "primary-write-path-configure-totp-done");
        assertThat(browser.getCurrentUrl()).as("the required action's outcome").contains("kc_action_status=success");

        // Both servers hold the OTP at once, with the label chosen on the page.
        for (KeycloakHttp keycloak : new KeycloakHttp[] {site.primary(), site.replica()}) {
            assertThat(get(keycloak, "users/" + id + "/credentials")).as("credentials at " + keycloak.baseUrl())
                    .extracting(c -> c.get("type").asText() + "/" + c.path("userLabel").asText())
                    .containsExactlyInAnyOrder("password/", "otp/replica phone");
        }
        // The primary has never used a code of this secret: its check of the code is at once.
        KeycloakHttp.Response atPrimary = PrimaryWritePathIT.signInWithOtp(site.primary(), username, secret);
        assertThat(atPrimary.status()).as("the OTP at the primary: " + atPrimary).isEqualTo(200);
        KeycloakHttp.Response atReplica = PrimaryWritePathIT.signInWithOtp(site.replica(), username, secret, TOTP_STEP.toMillis());
        assertThat(atReplica.status()).as("the OTP at the replica: " + atReplica).isEqualTo(200);
        assertThat(signIn(site.primary(), username, PASSWORD).status()).as("the password alone, at the primary").isNotEqualTo(200);
        assertThat(signIn(site.replica(), username, PASSWORD).status()).as("the password alone, at the replica").isNotEqualTo(200);
        assertSetByThePrimaryForTheSite(site, id, "UPDATE_CREDENTIAL", "credential.create");
    }

    /** The primary's audit: a user event of the person with the site's client and the change it carried out. */
    private static void assertSetByThePrimaryForTheSite(PrimarySite site, String id, String type, String change) {
        JsonNode audit = get(site.primary(), "events?type=" + type + "&user=" + id);
        assertThat(audit).as("the primary's " + type + " events of " + id).isNotEmpty();
        assertThat(audit.get(0).path("clientId").asText()).isEqualTo(PrimarySite.SITE_CLIENT);
        assertThat(audit.get(0).at("/details/replica_change").asText()).as(audit.get(0).toString()).isEqualTo(change);
    }

    /** Opens the replica's sign-in page for the public client, asking for a required action, and signs in with the password. */
    private WebDriverWait signInAtReplica(PrimarySite site, String username, String action) {
        browser.get(authorizationUrl(site, action));
        WebDriverWait wait = new WebDriverWait(browser, PAGE);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        browser.findElement(By.id("kc-login")).click();
        return wait;
    }

    private static String authorizationUrl(PrimarySite site, String action) {
        String verifier = UUID.randomUUID() + "-" + UUID.randomUUID();
        String challenge = BrowserFlow.challengeOf(verifier);
        return site.replicaServer().baseUrl() + "/realms/" + REALM + "/protocol/openid-connect/auth?client_id=" + PUBLIC_CLIENT
                + "&response_type=code&scope=openid&redirect_uri=" + URLEncoder.encode(BrowserFlow.REDIRECT_URI, StandardCharsets.UTF_8)
                + "&code_challenge=" + challenge + "&code_challenge_method=S256&kc_action=" + action;
    }
}
