package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;
import org.awaitility.Awaitility;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.github.keycloakreplica.it.ReplicaSite.REALM;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Entitlements the realm does not have are kept and granted once they exist; an open gap in a person's
 * access-critical attributes makes sign-in follow the component's policy.
 */
@ExtendWith(ReplicaStack.class)
class EntitlementsAndGapsIT {

    @Test
    void unknownRolesAndGroupsAreRecordedAndGrantedOnceTheyExist(ReplicaSite site) {
        String role = "auditor-" + UUID.randomUUID().toString().substring(0, 6);
        String group = "/site-a/" + role;
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("rita");
        site.upstream().upsert(subject, Map.of("username", username, "enabled", true,
                "realmRoles", List.of("operator", role), "groups", List.of("/site-a/ops", group)));

        site.awaitUser(username, u -> true);
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/role-mappings/realm", null).json(), "name"))
                .contains("operator").doesNotContain(role);
        JsonNode view = Awaitility.await().atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> subjectView(site, subject),
                v -> v.get("unresolved").size() == 2);
        assertThat(People.names(view.get("unresolved"), null))
                .containsExactlyInAnyOrder("realm role '" + role + "'", "group '" + group + "'");

        assertThat(site.keycloak().admin("POST", REALM + "/roles", Map.of("name", role)).status()).isEqualTo(201);
        String parent = site.keycloak().admin("GET", REALM + "/group-by-path/site-a", null).json().get("id").asText();
        assertThat(site.keycloak().admin("POST", REALM + "/groups/" + parent + "/children", Map.of("name", role)).status()).isEqualTo(201);

        Awaitility.await("granted once they exist").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofSeconds(1))
                .until(() -> subjectView(site, subject).get("unresolved").isEmpty());
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/role-mappings/realm", null).json(), "name"))
                .contains("operator", role);
        assertThat(People.names(site.keycloak().admin("GET", REALM + "/users/" + subject + "/groups", null).json(), "path"))
                .containsExactlyInAnyOrder("/site-a/ops", group);
    }

    @Test
    void signInDuringAGapInAccessRightsFollowsThePolicy(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "gapguard")) {
            Upstream upstream = realm.upstream(1);
            String componentId = realm.replicate(upstream, Map.of("gapSignInPolicy", "refuse"));
            realm.guardDirectGrants();
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("sven");
            upstream.upsert(subject, Map.of("username", username, "enabled", true));
            upstream.password(subject, "pw-" + subject, "sven's password");
            realm.awaitUser(username, u -> true);
            awaitGrant(site, realm, username, 200);

            // 'enabled' v3 arrives before v2: the replica does not know yet whether the person may sign in.
            IdentityUpsert v2 = upstream.upsertEvent(subject, Map.of("enabled", true));
            IdentityUpsert v3 = upstream.upsertEvent(subject, Map.of("enabled", true));
            upstream.send(v3);
            KeycloakHttp.Response refused = awaitGrant(site, realm, username, 400);
            assertThat(refused.json().get("error").asText()).isEqualTo("access_denied");
            assertThat(refused.json().get("error_description").asText())
                    .isEqualTo("Your access rights are being updated from the upstream identity authority. Please try again in a minute.");

            upstream.send(v2);
            awaitGrant(site, realm, username, 200);

            // With 'allow', the person signs in on the last known state, and the event log says so.
            ObjectNode component = (ObjectNode) site.keycloak().admin("GET", realm.name + "/components/" + componentId, null).json();
            ((ObjectNode) component.get("config")).putArray("gapSignInPolicy").add("allow");
            assertThat(site.keycloak().admin("PUT", realm.name + "/components/" + componentId, component).status()).isEqualTo(204);
            upstream.send(new IdentityUpsert(upstream.envelope(EventType.IDENTITY_UPSERTED, subject),
                    Map.of("enabled", new VersionedValue(BooleanNode.TRUE, 9))));
            Awaitility.await().atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.subject(subject).orElseThrow().get("gaps").size() == 1);
            assertThat(site.keycloak().passwordGrant(realm.name, "admin-cli", null, username, "sven's password").status()).isEqualTo(200);
            JsonNode log = realm.subject(subject).orElseThrow().get("eventLog");
            assertThat(log.toString()).contains("signed in on the last known state while enabled wait for earlier versions");
        }
    }

    /**
     * realm-config's flows carry the gap guard: in a browser, a person whose access rights wait for an
     * earlier version sees why the sign-in is refused, and signs in once the gap closes.
     */
    @Test
    void aBrowserSignInDuringAGapShowsWhyAndSucceedsOnceTheGapCloses(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "gapbrowser", true)) {
            // Deltas only, so that nothing but the missing event closes the gap.
            Upstream upstream = realm.upstream(1).withoutSnapshots();
            realm.replicate(upstream, Map.of("gapSignInPolicy", "refuse", "upstreamName", "the HQ Keycloak"));
            String subject = UUID.randomUUID().toString();
            String username = People.uniqueName("tove");
            upstream.upsert(subject, Map.of("username", username, "enabled", true));
            upstream.password(subject, "pw-" + subject, "tove's password");
            realm.awaitUser(username, u -> true);
            Awaitility.await("password replicated").atMost(ReplicaSite.APPLY_TIMEOUT)
                    .until(() -> site.keycloak().admin("GET", realm.name + "/users/" + subject + "/credentials", null).json().size() == 1);

            IdentityUpsert v2 = upstream.upsertEvent(subject, Map.of("enabled", true));
            IdentityUpsert v3 = upstream.upsertEvent(subject, Map.of("enabled", true));
            upstream.send(v3);
            Awaitility.await("gap open").atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.subject(subject).orElseThrow().get("gaps").size() == 1);

            BrowserFlow refusedBrowser = new BrowserFlow(site.keycloak().baseUrl(), realm.name, ReplicaSite.PUBLIC_CLIENT);
            Document refused = refusedBrowser.submit(refusedBrowser.start(), "#kc-form-login",
                    Map.of("username", username, "password", "tove's password"));
            assertThat(refused).as("a page, not a redirect to the client").isNotNull();
            assertThat(refused.text()).contains("Your access rights are being updated from the HQ Keycloak. Please try again in a minute.");
            assertThat(refusedBrowser.code()).isNull();

            upstream.send(v2);
            Awaitility.await("gap closed").atMost(ReplicaSite.APPLY_TIMEOUT).until(() -> realm.subject(subject).orElseThrow().get("gaps").isEmpty());
            BrowserFlow browser = new BrowserFlow(site.keycloak().baseUrl(), realm.name, ReplicaSite.PUBLIC_CLIENT);
            Document done = browser.submit(browser.start(), "#kc-form-login", Map.of("username", username, "password", "tove's password"));
            assertThat(done).as("redirected to the client").isNull();
            KeycloakHttp.Response tokens = browser.exchange(site.keycloak(), browser.code());
            assertThat(tokens.status()).as(tokens.toString()).isEqualTo(200);
        }
    }

    private static KeycloakHttp.Response awaitGrant(ReplicaSite site, TestRealm realm, String username, int status) {
        return Awaitility.await("password grant answers " + status).atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> site.keycloak().passwordGrant(realm.name, "admin-cli", null, username, "sven's password"),
                        r -> r.status() == status);
    }

    private static JsonNode subjectView(ReplicaSite site, String subject) {
        return site.keycloak().admin("GET", REALM + "/replica/subjects/" + subject, null).json().get(0);
    }
}
