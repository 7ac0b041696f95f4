package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import org.awaitility.Awaitility;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;

import static io.github.keycloakreplica.it.PrimarySite.PROPAGATION;
import static io.github.keycloakreplica.it.PrimarySite.REALM;
import static io.github.keycloakreplica.it.PrimarySite.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The paths on which a person changes at the primary without an administrator, driven in real headless Chromium:
 * the account console, the required actions of the sign-in flow, self-registration and identity brokering (first
 * sign-in, then a later one whose FORCE-synced mapper changes the person, reported only as a LOGIN). Each change
 * reaches the replica, and each changed attribute or credential moves its version there by exactly 1 while
 * every other stays where it was.
 */
@ExtendWith({PrimaryStack.class, Chromium.class})
class PublishedUserPathsIT {

    private static final String PASSWORD = "correct horse battery staple";
    private static final String PUBLIC_CLIENT = "replica-public";
    private static final Duration PAGE = Duration.ofSeconds(30);

    /** Opened before each test and quit after it by {@link Chromium}. */
    private WebDriver browser;

    @Test
    void aNameChangedInTheAccountConsoleMovesFirstAndLastNameByOne(PrimarySite site) {
        String username = People.uniqueName("paths-account");
        String id = site.createAtPrimary(person(username));
        Versions before = settled(site, id, s -> s.credentials.size() == 1);

        browser.get(site.primaryServer().baseUrl() + "/realms/" + REALM + "/account");
        WebDriverWait wait = new WebDriverWait(browser, PAGE);
        signIn(wait, username, PASSWORD);
        WebElement firstName = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("firstName")));
        wait.until(d -> "Alice".equals(firstName.getDomProperty("value")));
        retype(firstName, "Alicia");
        retype(browser.findElement(By.id("lastName")), "Exampleton");
        browser.findElement(By.id("save-btn")).click();

        site.awaitAtReplica(id, PROPAGATION, u -> "Alicia".equals(u.path("firstName").asText())
                && "Exampleton".equals(u.path("lastName").asText()));
        assertThat(site.atPrimary(id).path("email").asText()).isEqualTo(username + "@example.com");
        settled(site, id, s -> true).assertMovedFrom(before, List.of("firstName", "lastName"), List.of());
    }

    @Test
    void anUpdatePasswordRequiredActionMovesThePasswordByOneAndTheNewOneSignsInAtTheReplica(PrimarySite site) {
        String username = People.uniqueName("paths-updpw");
        Map<String, Object> person = person(username);
        person.put("requiredActions", List.of("UPDATE_PASSWORD"));
        String id = site.createAtPrimary(person);
        Versions before = settled(site, id, s -> s.credentials.size() == 1);
        String passwordId = before.credentials.keySet().iterator().next();

        WebDriverWait wait = signInAtPrimary(site, username, PASSWORD, null);
        String chosen = "a passphrase chosen at sign-in";
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("password-new"))).sendKeys(chosen);
        browser.findElement(By.id("password-confirm")).sendKeys(chosen);
        browser.findElement(By.id("kc-submit")).click();
        wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));

        site.awaitSignInAtReplica(username, chosen);
        ReplicationIT.assertRefused(site.awaitSignInRefusedAtReplica(username, PASSWORD), "Invalid user credentials");
        settled(site, id, s -> true).assertMovedFrom(before, List.of(), List.of(passwordId));
    }

    @Test
    void anUpdateProfileRequiredActionMovesTheLastNameByOne(PrimarySite site) {
        String username = People.uniqueName("paths-updprof");
        Map<String, Object> person = person(username);
        person.put("requiredActions", List.of("UPDATE_PROFILE"));
        String id = site.createAtPrimary(person);
        Versions before = settled(site, id, s -> s.credentials.size() == 1);

        WebDriverWait wait = signInAtPrimary(site, username, PASSWORD, null);
        retype(wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("lastName"))), "Profiled");
        browser.findElement(By.cssSelector("#kc-update-profile-form input[type=submit]")).click();
        wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));

        site.awaitAtReplica(id, PROPAGATION, u -> "Profiled".equals(u.path("lastName").asText()));
        settled(site, id, s -> true).assertMovedFrom(before, List.of("lastName"), List.of());
    }

    @Test
    void anOtpSetUpInTheConfigureTotpRequiredActionSignsInAtTheReplica(PrimarySite site) {
        String username = People.uniqueName("paths-totp");
        Map<String, Object> person = person(username);
        person.put("requiredActions", List.of("CONFIGURE_TOTP"));
        String id = site.createAtPrimary(person);
        Versions before = settled(site, id, s -> s.credentials.size() == 1);

        WebDriverWait wait = signInAtPrimary(site, username, PASSWORD, null);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("totp")));
        String secret = browser.findElement(By.id("totpSecret")).getDomProperty("value");
        browser.findElement(By.id("totp")).sendKeys(KeycloakCredentials.totpCode(secret, System.currentTimeMillis()));
        browser.findElement(By.id("userLabel")).sendKeys("paths phone");
        browser.findElement(By.id("saveTOTPBtn")).click();
        wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));

        site.awaitReplica("the OTP at the replica", PROPAGATION, () -> get(site.replica(), "users/" + id + "/credentials"),
                c -> People.names(c, "type").contains("otp"));
        Versions after = settled(site, id, s -> s.credentials.size() == 2);
        assertThat(after.attributes).as("attribute versions").isEqualTo(before.attributes);
        Map<String, Long> expected = new TreeMap<>(before.credentials);
        String otpId = after.credentials.keySet().stream().filter(c -> !before.credentials.containsKey(c)).findFirst().orElseThrow();
        expected.put(otpId, 1L);
        assertThat(after.credentials).as("credential versions: the password as before, the new OTP at 1").isEqualTo(expected);

        // The replica's own browser flow asks for the code of the secret Keycloak generated at the primary.
        BrowserFlow replicaBrowser = new BrowserFlow(site.replica().baseUrl(), REALM, PUBLIC_CLIENT);
        Document otpPage = replicaBrowser.submit(replicaBrowser.start(), "#kc-form-login", Map.of("username", username, "password", PASSWORD));
        assertThat(otpPage).as("an OTP page after the password at the replica").isNotNull();
        assertThat(otpPage.selectFirst("input[name=otp]")).as("OTP input on:\n" + otpPage.body().text()).isNotNull();
        Document done = replicaBrowser.submit(otpPage, "#kc-otp-login-form",
                Map.of("otp", KeycloakCredentials.totpCode(secret, System.currentTimeMillis())));
        assertThat(done).as("redirected to the client").isNull();
        KeycloakHttp.Response tokens = replicaBrowser.exchange(site.replica(), replicaBrowser.code());
        assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
        assertThat(KeycloakHttp.claims(tokens.json().get("access_token").asText()).get("sub").asText()).isEqualTo(id);
    }

    @Test
    void aSelfRegisteredPersonAndTheirPasswordArriveAtTheReplica(PrimarySite site) {
        boolean allowed = realmSettings(site, "GET", null).path("registrationAllowed").asBoolean();
        realmSettings(site, "PUT", Map.of("registrationAllowed", true));
        try {
            String username = People.uniqueName("paths-register");
            String chosen = "a password chosen at registration";
            browser.get(authorizationUrl(site, "registrations", null));
            WebDriverWait wait = new WebDriverWait(browser, PAGE);
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("kc-register-form")));
            Map<String, String> fields = Map.of("username", username, "email", username + "@example.com", "firstName", "Reggie",
                    "lastName", "Strant", "password", chosen, "password-confirm", chosen);
            fields.forEach((field, value) -> browser.findElement(By.id(field)).sendKeys(value));
            browser.findElement(By.cssSelector("#kc-register-form [type=submit]")).click();
            wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));

            JsonNode found = get(site.primary(), "users?exact=true&username=" + username);
            assertThat(found).as("registered at the primary").hasSize(1);
            String id = found.get(0).get("id").asText();
            JsonNode user = site.awaitAtReplica(id, PROPAGATION, u -> true);
            assertThat(user.get("username").asText()).isEqualTo(username);
            assertThat(user.get("email").asText()).isEqualTo(username + "@example.com");
            assertThat(user.get("firstName").asText()).isEqualTo("Reggie");
            assertThat(user.get("lastName").asText()).isEqualTo("Strant");
            site.awaitSignInAtReplica(username, chosen);
            // Created with its password in one transaction: everything published once, at version 1.
            Versions versions = settled(site, id, s -> s.credentials.size() == 1);
            assertThat(versions.attributes).as("attribute versions").isNotEmpty().allSatisfy((name, version) -> assertThat(version)
                    .as(name).isEqualTo(1L));
            assertThat(versions.credentials.values()).as("the password's version").containsExactly(1L);
        } finally {
            realmSettings(site, "PUT", Map.of("registrationAllowed", allowed));
        }
    }

    @Test
    void aBrokeredPersonArrivesWithWhatTheMappersImportedAndAForceSyncedLastNameFollowsWithinOneReconcile(PrimarySite site) {
        String username = People.uniqueName("paths-ida");
        try (BrokeringRealm idp = new BrokeringRealm(site, username, "Ida", "Before")) {
            brokeredSignIn(site, browser, idp);
            JsonNode found = get(site.primary(), "users?exact=true&username=" + username);
            assertThat(found).as("created at the primary by the first broker login").hasSize(1);
            String id = found.get(0).get("id").asText();
            site.awaitAtReplica(id, PROPAGATION, u -> "Before".equals(u.path("lastName").asText())
                    && "Ida".equals(u.path("firstName").asText()) && (username + "@idp.example").equals(u.path("email").asText()));
            // What the mappers import on the first sign-in is written in the transaction that creates the user (REGISTER).
            site.awaitAtReplica(id, PROPAGATION, u -> idp.alias.equals(u.at("/attributes/" + BrokeringRealm.ORIGIN + "/0").asText()));
            Versions before = settled(site, id, s -> s.attributes.containsKey(BrokeringRealm.ORIGIN));
            // With trustEmail, Keycloak marks the email verified after it created the user, in a later transaction of the
            // same first sign-in; whether that reaches the stream as a second version of emailVerified or folded into the
            // first depends on whether the relay versioned the creation in between. Either is a true history.
            Map<String, Long> firstOnly = new TreeMap<>(before.attributes);
            firstOnly.remove("emailVerified");
            assertThat(firstOnly).as("attribute versions").isNotEmpty().allSatisfy((name, version) -> assertThat(version).as(name).isEqualTo(1L));
            assertThat(before.attributes.get("emailVerified")).as("emailVerified's version").isIn(1L, 2L);
            assertThat(site.atReplica(id).orElseThrow().get("emailVerified").asBoolean()).as("verified, as the IdP is trusted").isTrue();
            assertThat(before.credentials).as("no credential of the primary's own").isEmpty();

            idp.renameLast("After");
            // A browser of its own: the first one's sessions would skip the identity provider's sign-in.
            WebDriver again = Chromium.open();
            try {
                brokeredSignIn(site, again, idp);
            } finally {
                again.quit();
            }
            assertThat(site.atPrimary(id).path("lastName").asText()).as("the mapper synced at the primary").isEqualTo("After");

            // Keycloak reports this sign-in as LOGIN (its IDENTITY_PROVIDER_LOGIN type is replaced before the event is sent);
            // its identity_provider detail marks the person, so the mapper's change travels at once, not at the next reconcile.
            site.awaitAtReplica(id, PROPAGATION, u -> "After".equals(u.path("lastName").asText()));
            settled(site, id, s -> true).assertMovedFrom(before, List.of("lastName"), List.of());
        }
    }

    /** Reads or changes the shared realm's own settings at the primary (a PUT changes only the fields it names). */
    private static JsonNode realmSettings(PrimarySite site, String method, Map<String, Object> changes) {
        KeycloakHttp.Response r = site.primary().admin(method, REALM, changes);
        assertThat(r.status()).as(method + " realm " + REALM + ": " + r).isBetween(200, 299);
        return "GET".equals(method) ? r.json() : null;
    }

    /** Signs in at the primary through the identity provider, creating the person on the first time. */
    private static void brokeredSignIn(PrimarySite site, WebDriver driver, BrokeringRealm idp) {
        driver.get(authorizationUrl(site, "auth", "kc_idp_hint=" + idp.alias));
        WebDriverWait wait = new WebDriverWait(driver, PAGE);
        wait.until(ExpectedConditions.urlContains("/realms/" + idp.name + "/"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(idp.username);
        driver.findElement(By.id("password")).sendKeys(idp.password);
        driver.findElement(By.id("kc-login")).click();
        wait.until(ExpectedConditions.or(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI),
                ExpectedConditions.visibilityOfElementLocated(By.id("kc-idp-review-profile-form"))));
        if (!driver.getCurrentUrl().contains(BrowserFlow.REDIRECT_URI)) {
            // Keycloak's first broker login asks to review what the provider said when something is missing.
            driver.findElement(By.cssSelector("#kc-idp-review-profile-form [type=submit]")).click();
            wait.until(ExpectedConditions.urlContains(BrowserFlow.REDIRECT_URI));
        }
    }

    /** Opens the primary's sign-in page for the public client and signs in; the flow goes on from there. */
    private WebDriverWait signInAtPrimary(PrimarySite site, String username, String password, String extra) {
        browser.get(authorizationUrl(site, "auth", extra));
        WebDriverWait wait = new WebDriverWait(browser, PAGE);
        signIn(wait, username, password);
        return wait;
    }

    private void signIn(WebDriverWait wait, String username, String password) {
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(username);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("kc-login")).click();
    }

    /** Replaces a field's value by typing, so that script-driven forms (the account console's) see the change. */
    private static void retype(WebElement field, String value) {
        field.click();
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        field.sendKeys(value);
    }

    /** The primary's authorization ({@code auth}) or registration ({@code registrations}) endpoint for the public client. */
    private static String authorizationUrl(PrimarySite site, String endpoint, String extra) {
        String verifier = UUID.randomUUID() + "-" + UUID.randomUUID();
        String challenge;
        try {
            challenge = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return site.primaryServer().baseUrl() + "/realms/" + REALM + "/protocol/openid-connect/" + endpoint + "?client_id=" + PUBLIC_CLIENT
                + "&response_type=code&scope=openid&redirect_uri=" + URLEncoder.encode(BrowserFlow.REDIRECT_URI, StandardCharsets.UTF_8)
                + "&code_challenge=" + challenge + "&code_challenge_method=S256" + (extra == null ? "" : "&" + extra);
    }

    /** A person as an administrator creates them, with a password. */
    private static Map<String, Object> person(String username) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("username", username);
        user.put("email", username + "@example.com");
        user.put("emailVerified", true);
        user.put("firstName", "Alice");
        user.put("lastName", "Example");
        user.put("enabled", true);
        user.put("credentials", List.of(Map.of("type", "password", "value", PASSWORD, "temporary", false)));
        return user;
    }

    /** The version of each attribute and credential id in the replica's view of a subject. */
    private record Versions(Map<String, Long> attributes, Map<String, Long> credentials) {

        static Versions of(JsonNode subject) {
            Map<String, Long> attributes = new TreeMap<>();
            Map<String, Long> credentials = new TreeMap<>();
            subject.path("attributes").properties().forEach(a -> attributes.put(a.getKey(), a.getValue().get("version").asLong()));
            subject.path("credentials").properties().forEach(c -> credentials.put(c.getKey(), c.getValue().get("version").asLong()));
            return new Versions(attributes, credentials);
        }

        /** These attributes and credentials one version on from {@code before}, and nothing else moved. */
        void assertMovedFrom(Versions before, List<String> movedAttributes, List<String> movedCredentials) {
            assertThat(attributes).as("attribute versions, before " + before.attributes).isEqualTo(moved(before.attributes, movedAttributes));
            assertThat(credentials).as("credential versions, before " + before.credentials)
                    .isEqualTo(moved(before.credentials, movedCredentials));
        }

        private static Map<String, Long> moved(Map<String, Long> before, List<String> names) {
            Map<String, Long> expected = new TreeMap<>(before);
            names.forEach(name -> expected.put(name, before.get(name) + 1));
            return expected;
        }
    }

    /**
     * The replica's versions of the subject once they meet the condition and have stopped moving: nothing waits at
     * the primary's publisher and two reads half a second apart agree, so a comparison sees every version a change
     * caused and none still on its way.
     */
    private static Versions settled(PrimarySite site, String id, Predicate<Versions> condition) {
        List<Versions> last = new ArrayList<>(List.of(new Versions(Map.of(), Map.of())));
        return Awaitility.await("the versions of " + id + " at the replica settled")
                .atMost(PROPAGATION.multipliedBy(2))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    JsonNode status = get(site.primary(), "replica-publisher/status");
                    long waiting = status.at("/backlog/intents").asLong() + status.at("/backlog/unpublished").asLong();
                    Versions now = site.replicaSubject(id).map(Versions::of).orElse(null);
                    Versions previous = last.set(0, now);
                    return waiting == 0 && now != null && now.equals(previous) && condition.test(now) ? now : null;
                }, Objects::nonNull);
    }
}
