package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.awaitility.Awaitility;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A realm of its own on the shared replica server, with its own topics, for tests that reconfigure,
 * disable or crash-test a replica component without disturbing the other test classes. What the tests
 * read from and do to such a realm (its users, link, credentials, meters, sync operations, sign-ins) is
 * here too, so that no test class borrows it from another.
 */
final class TestRealm implements AutoCloseable {

    /** The password of the realm's local users (its replicated people have the upstream's). */
    private static final String LOCAL_PASSWORD = "correct horse battery staple";

    final ReplicaSite site;
    final String name;
    private final List<Upstream> upstreams = new ArrayList<>();

    TestRealm(ReplicaSite site, String prefix) {
        this(site, prefix, false);
    }

    /**
     * @param asShipped true: the realm is realm-config's acme-realm.json (its flows with the gap guard,
     *                  its clients and theme) under another name and without its replica component;
     *                  false: a new realm with only the replica realm's user profile
     */
    TestRealm(ReplicaSite site, String prefix, boolean asShipped) {
        this.site = site;
        this.name = People.uniqueName(prefix);
        if (asShipped) {
            ObjectNode realm = (ObjectNode) withDefaults(read(StackArtifacts.load().realmFile("acme-realm.json")));
            realm.put("realm", name);
            ((ObjectNode) realm.get("components")).remove("org.keycloak.storage.UserStorageProvider");
            KeycloakHttp.Response created = site.keycloak().admin("POST", "", realm);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            return;
        }
        KeycloakHttp.Response created = site.keycloak().admin("POST", "", Map.of("realm", name, "enabled", true));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        // The user profile of realm-config's replica realm: nothing required, replicated attributes visible.
        JsonNode profile = site.keycloak().admin("GET", ReplicaSite.REALM + "/users/profile", null).json();
        KeycloakHttp.Response set = site.keycloak().admin("PUT", name + "/users/profile", profile);
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
    }

    /**
     * The realm file's {@code ${VAR:default}} placeholders with their defaults, as Keycloak's import at
     * start-up would resolve them; an admin REST import takes them literally.
     */
    private static JsonNode withDefaults(JsonNode realm) {
        try {
            String text = KeycloakHttp.JSON.writeValueAsString(realm).replaceAll("\\$\\{[A-Z0-9_]+:([^}]*)}", "$1");
            return KeycloakHttp.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return KeycloakHttp.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new upstream with its own topic prefix (created on the broker). */
    Upstream upstream(int partitions) {
        Upstream upstream = new Upstream(site.stack().broker().bootstrapServers(), name + "-" + upstreams.size(), ReplicaSite.SOURCE);
        upstream.createTopics(site.stack().broker(), partitions);
        upstreams.add(upstream);
        return upstream;
    }

    static ObjectNode component(Map<String, String> config) {
        ObjectNode component = KeycloakHttp.JSON.createObjectNode();
        component.put("name", "hq");
        component.put("providerId", "replica");
        component.put("providerType", "org.keycloak.storage.UserStorageProvider");
        ObjectNode node = component.putObject("config");
        config.forEach((k, v) -> node.putArray(k).add(v));
        return component;
    }

    /** Adds a replica component following this upstream, with extra settings; returns its id. */
    String replicate(Upstream upstream, Map<String, String> settings) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("bootstrapServers", site.stack().broker().bootstrapServers());
        config.put("topicPrefix", upstream.topics().prefix());
        config.put("consumerGroup", name);
        config.putAll(settings);
        KeycloakHttp.Response created = site.keycloak().admin("POST", name + "/components", component(config));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return componentId();
    }

    String componentId() {
        JsonNode components = site.keycloak().admin("GET", name + "/components?type=org.keycloak.storage.UserStorageProvider", null).json();
        return components.get(0).get("id").asText();
    }

    /**
     * Waits until the link of every replica component of this realm is past SEVERED (its upstreams'
     * heartbeats arrive): sync operations are refused while it is not.
     */
    void awaitLinkReachable() {
        Awaitility.await("the link of realm " + name + " reachable").atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> site.keycloak().admin("GET", name + "/replica/link", null).json(), links -> {
                    for (JsonNode link : links) {
                        if (!Set.of("RECOVERING", "CONNECTED").contains(link.path("state").asText())) {
                            return false;
                        }
                    }
                    return !links.isEmpty();
                });
    }

    /**
     * Component settings for a link that changes state within seconds, so that a test can watch it: the
     * severance threshold, the stabilization window, and the upstream's name the refusals quote.
     */
    static Map<String, String> linkSettings(int thresholdSeconds, int windowSeconds) {
        return Map.of("severanceThresholdSeconds", String.valueOf(thresholdSeconds),
                "stabilizationWindowSeconds", String.valueOf(windowSeconds),
                "driftWindowSeconds", "30",
                "upstreamName", ReplicaSite.UPSTREAM_NAME);
    }

    /** The link of this realm's (first) replica component, as the admin REST API shows it. */
    JsonNode link() {
        KeycloakHttp.Response r = site.keycloak().admin("GET", name + "/replica/link", null);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().get(0);
    }

    JsonNode awaitLink(String state, Duration within) {
        return Awaitility.await("link " + state + " in realm " + name).atMost(within).pollInterval(Duration.ofMillis(200))
                .until(this::link, l -> state.equals(l.path("state").asText()));
    }

    /** A user's credentials as the admin REST API lists them. */
    JsonNode credentials(String userId) {
        return site.keycloak().admin("GET", name + "/users/" + userId + "/credentials", null).json();
    }

    /** Makes sure the realm offers a required action (a realm created through admin REST does not offer every one). */
    void enableRequiredAction(String alias) {
        KeycloakHttp.Response action = site.keycloak().admin("GET", name + "/authentication/required-actions/" + alias, null);
        assertThat(action.status()).as(alias + ": " + action).isEqualTo(200);
        if (!action.json().path("enabled").asBoolean()) {
            ObjectNode enabled = (ObjectNode) action.json();
            enabled.put("enabled", true);
            KeycloakHttp.Response set = site.keycloak().admin("PUT", name + "/authentication/required-actions/" + alias, enabled);
            assertThat(set.status()).as(alias + ": " + set).isEqualTo(204);
        }
    }

    /** One series of this realm's replica component, from the Prometheus text Keycloak serves. */
    double meter(String meterName, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(meterName) + "\\{([^}]*)} (\\S+)$").matcher(site.metrics());
        while (m.find()) {
            String labels = m.group(1);
            if (labels.contains("realm=\"" + name + "\"") && (label == null || labels.contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + meterName + " series for realm " + name + (label == null ? "" : " with " + label));
    }

    /** The operation once it has finished, which must be with success. */
    JsonNode awaitOperationSucceeded(String id) {
        JsonNode done = Awaitility.await("operation " + id).atMost(ReplicaSite.APPLY_TIMEOUT).pollInterval(Duration.ofMillis(300))
                .until(() -> site.keycloak().admin("GET", name + "/replica/operations/" + id, null).json(),
                        o -> "SUCCEEDED".equals(o.path("state").asText()) || "FAILED".equals(o.path("state").asText()));
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
        return done;
    }

    /** Starts a sync operation and waits for it to succeed. */
    JsonNode runOperation(Map<String, Object> request) {
        KeycloakHttp.Response started = site.keycloak().admin("POST", name + "/replica/operations", request);
        assertThat(started.status()).as(started.toString()).isEqualTo(202);
        return awaitOperationSucceeded(started.json().get("id").asText());
    }

    /** A local user of the realm with one realm-management role, signed in: their access token. */
    String localUserWithRole(String role) {
        String username = People.uniqueName("op");
        KeycloakHttp.Response created = site.keycloak().admin("POST", name + "/users", Map.of("username", username, "enabled", true,
                "email", username + "@example.com", "firstName", "Op", "lastName", "Erator",
                "credentials", List.of(Map.of("type", "password", "value", LOCAL_PASSWORD, "temporary", false))));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String userId = user(username).orElseThrow().get("id").asText();
        String clientId = site.keycloak().admin("GET", name + "/clients?clientId=realm-management", null).json().get(0).get("id").asText();
        JsonNode roleRep = site.keycloak().admin("GET", name + "/clients/" + clientId + "/roles/" + role, null).json();
        KeycloakHttp.Response granted = site.keycloak().admin("POST", name + "/users/" + userId + "/role-mappings/clients/" + clientId,
                List.of(roleRep));
        assertThat(granted.status()).as(granted.toString()).isEqualTo(204);
        KeycloakHttp.Response token = site.keycloak().passwordGrant(name, "admin-cli", null, username, LOCAL_PASSWORD);
        assertThat(token.status()).as(token.toString()).isEqualTo(200);
        return token.json().get("access_token").asText();
    }

    /** A password grant through admin-cli, the client every realm has, with direct grants on. */
    KeycloakHttp.Response grant(String username, String password) {
        return site.keycloak().passwordGrant(name, "admin-cli", null, username, password);
    }

    KeycloakHttp.Response awaitGrant(String username, String password, int status) {
        return Awaitility.await("password grant of " + username + " answers " + status).atMost(ReplicaSite.APPLY_TIMEOUT)
                .pollInterval(Duration.ofMillis(300))
                .until(() -> grant(username, password), r -> r.status() == status);
    }

    /** A sign-in with this password is refused for its password. */
    void assertGrantRefused(String username, String password) {
        KeycloakHttp.Response grant = grant(username, password);
        assertThat(grant.status()).as(grant.toString()).isIn(400, 401);
        assertThat(grant.json().path("error").asText()).as(grant.toString()).isEqualTo("invalid_grant");
    }

    void createRoles(String... roles) {
        for (String role : roles) {
            KeycloakHttp.Response created = site.keycloak().admin("POST", name + "/roles", Map.of("name", role));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }
    }

    /**
     * What an administrator does to enforce the gap sign-in policy on direct grants: the gap guard, last
     * step of a copy of the direct grant flow.
     */
    void guardDirectGrants() {
        KeycloakHttp http = site.keycloak();
        assertThat(http.admin("POST", name + "/authentication/flows/direct%20grant/copy", Map.of("newName", "guarded direct grant")).status())
                .isEqualTo(201);
        assertThat(http.admin("POST", name + "/authentication/flows/guarded%20direct%20grant/executions/execution",
                Map.of("provider", "replica-gap-guard")).status()).isEqualTo(201);
        for (JsonNode execution : http.admin("GET", name + "/authentication/flows/guarded%20direct%20grant/executions", null).json()) {
            if ("replica-gap-guard".equals(execution.path("providerId").asText())) {
                ((ObjectNode) execution).put("requirement", "REQUIRED");
                assertThat(http.admin("PUT", name + "/authentication/flows/guarded%20direct%20grant/executions", execution).status()).isEqualTo(204);
            }
        }
        ObjectNode rep = (ObjectNode) http.admin("GET", name, null).json();
        rep.put("directGrantFlow", "guarded direct grant");
        assertThat(http.admin("PUT", name, rep).status()).isEqualTo(204);
    }

    /** How many dead letters the realm has recorded. */
    long deadLetterCount() {
        return site.keycloak().admin("GET", name + "/replica/dead-letters?max=1", null).json().get("total").asLong();
    }

    /** The user as the admin REST API shows it, if this realm has it. */
    Optional<JsonNode> user(String username) {
        return site.user(name, username);
    }

    JsonNode awaitUser(String username, Predicate<JsonNode> condition) {
        return site.awaitUser(name, username, condition);
    }

    /** The replica's view of one subject (versions, gaps, event log), if it has seen it. */
    Optional<JsonNode> subject(String subject) {
        KeycloakHttp.Response r = site.keycloak().admin("GET", name + "/replica/subjects/"
                + URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20"), null);
        return r.status() == 404 ? Optional.empty() : Optional.of(r.json().get(0));
    }

    @Override
    public void close() {
        upstreams.forEach(Upstream::close);
        site.keycloak().admin("DELETE", name, null);
    }
}
