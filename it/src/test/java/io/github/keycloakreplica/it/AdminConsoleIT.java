package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin console in real headless Chromium: the replica component's page (its periodic full sync
 * setting, its Action menu's "Sync all users" and what the console shows for it, with who asked) and a
 * replicated person's page (why its fields are read-only). Screenshots go to {@code it/target/screenshots/}.
 */
@ExtendWith({ReplicaStack.class, Chromium.class})
class AdminConsoleIT {

    /** Opened before each test and quit after it by {@link Chromium}. */
    private WebDriver browser;

    @Test
    void syncAllUsersFromTheComponentsPageStartsAFullSyncAndTheNextClickShowsItsResult(ReplicaSite site) throws Exception {
        try (TestRealm realm = new TestRealm(site, "console")) {
            Upstream upstream = realm.upstream(1);
            String componentId = realm.replicate(upstream, TestRealm.linkSettings(10, 1));
            // Once the new replica runs (it bootstraps from the snapshot topics as it starts), two people only
            // the snapshot topics hold: what a full sync will bring.
            String first = People.uniqueName("console");
            upstream.upsert(UUID.randomUUID().toString(), People.person(first));
            realm.awaitUser(first, u -> true);
            for (int i = 0; i < 2; i++) {
                upstream.upsertEvent(UUID.randomUUID().toString(), People.person(People.uniqueName("console")));
            }
            upstream.flush();

            browser.get(site.server().baseUrl() + "/admin/master/console/#/" + realm.name + "/user-federation/replica/" + componentId);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(site.server().adminUsername());
            browser.findElement(By.id("password")).sendKeys(site.server().adminPassword());
            browser.findElement(By.id("kc-login")).click();

            // The component's page: no LDAP sync switches, but the periodic full sync as the component's own
            // setting, with a help text about a replica.
            WebElement periodHelp = wait.until(ExpectedConditions.elementToBeClickable(
                    By.xpath("//*[starts-with(@data-testid,'help-label-') and contains(@data-testid,'fullSyncPeriod')]")));
            assertThat(browser.findElement(By.tagName("body")).getText()).contains("Periodic full sync (seconds)")
                    .doesNotContain("Periodic changed users sync");
            periodHelp.click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), "re-reads the snapshot topics"));
            Chromium.screenshot(browser, "admin-console-periodic-full-sync-help");
            browser.navigate().refresh();

            // The upstream sends no heartbeats yet: the link is SEVERED and the button says why nothing started.
            String refused = syncAllUsers(wait, "Full sync not started.");
            Chromium.screenshot(browser, "admin-console-sync-all-users-refused-while-severed");
            assertThat(refused).contains("Nothing was queued: start it again once the link is back");
            upstream.startHeartbeats(Duration.ofMillis(500));
            realm.awaitLinkReachable();
            browser.navigate().refresh();

            String notice = syncAllUsers(wait, "Full sync started as operation ");
            Chromium.screenshot(browser, "admin-console-sync-all-users-started");
            String id = notice.substring(notice.indexOf("Full sync started as operation ") + "Full sync started as operation ".length()).substring(0, 36);
            JsonNode done = realm.awaitOperationSucceeded(id);
            assertThat(done.get("added").asInt()).isEqualTo(2);
            // Recorded with the administrator signed in to the console, and said so on the page.
            assertThat(done.get("requestedBy").asText()).isEqualTo(site.server().adminUsername());
            assertThat(done.get("reason").asText()).endsWith(" of realm master");
            assertThat(notice).contains("Full sync started as operation " + id + " (requested by " + site.server().adminUsername() + ")");

            // The console shows a result only when the sync answers; ours answers at once, so the next click
            // shows the finished one's.
            browser.navigate().refresh();
            String result = syncAllUsers(wait, "The last one, " + id + ", succeeded");
            Chromium.screenshot(browser, "admin-console-sync-all-users-result");
            assertThat(result).contains("3 subjects, 2 users added, 0 updated, 0 removed, 0 failed");

            // "Sync changed users" has nothing to start: on the component's page it tells the replica's state.
            browser.navigate().refresh();
            String state = clickAction(wait, "Sync changed users", "Changed users arrive continuously");
            Chromium.screenshot(browser, "admin-console-sync-changed-users-state");
            assertThat(state).contains("Incremental sync: ").contains(" subject(s) with open gaps")
                    .contains("Last full sync succeeded at").contains("Credential changes: refused");

            // A replicated person's page: each greyed-out field says, behind its help icon, where it can be changed.
            String userId = realm.user(first).orElseThrow().get("id").asText();
            String why = "Replicated from " + ReplicaSite.UPSTREAM_NAME + " and read-only on this replica. Change it at "
                    + ReplicaSite.UPSTREAM_NAME;
            JsonNode profile = site.keycloak().admin("GET", realm.name + "/users/" + userId + "?userProfileMetadata=true", null).json()
                    .get("userProfileMetadata");
            assertThat(profile.get("attributes")).filteredOn(a -> "email".equals(a.get("name").asText())).singleElement().satisfies(email -> {
                assertThat(email.get("readOnly").asBoolean()).isTrue();
                assertThat(email.path("annotations").path("inputHelperTextBefore").asText()).startsWith(why);
            });
            browser.get(site.server().baseUrl() + "/admin/master/console/#/" + realm.name + "/users/" + userId + "/settings");
            wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[@data-testid='help-label-email']"))).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), why));
            Chromium.screenshot(browser, "admin-console-replicated-user-read-only-help");
        }
    }

    @Test
    void theComponentTypeOffersItsOwnPeriodicFullSyncInsteadOfKeycloaksLdapSwitches(ReplicaSite site) {
        JsonNode types = site.keycloak().withToken(site.keycloak().adminToken(), "GET", "/admin/serverinfo", null).json()
                .path("componentTypes").path("org.keycloak.storage.UserStorageProvider");
        assertThat(types).filteredOn(t -> "replica".equals(t.get("id").asText())).singleElement().satisfies(replica -> {
            assertThat(replica.path("metadata").has("synchronizable")).as("the console's LDAP sync switches").isFalse();
            assertThat(replica.get("properties")).filteredOn(p -> "fullSyncPeriod".equals(p.get("name").asText())).singleElement()
                    .satisfies(p -> assertThat(p.get("helpText").asText()).contains("re-reads the snapshot topics"));
        });
    }

    private String syncAllUsers(WebDriverWait wait, String expected) {
        return clickAction(wait, "Sync all users", expected);
    }

    /** Opens the page's Action menu, clicks an item and returns the page's text once it says {@code expected}. */
    private String clickAction(WebDriverWait wait, String item, String expected) {
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[@data-testid='action-dropdown']"))).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//*[self::button or self::a or self::li][normalize-space()='" + item + "']")))
                .click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.tagName("body"), expected));
        return browser.findElement(By.tagName("body")).getText();
    }
}
