package io.github.keycloakreplica.it;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.StackArtifacts;
import io.github.keycloakreplica.stack.demo.AdminRestExamples;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the repository hands out works as handed out: {@code realm-config/acme-realm.json} is created through
 * admin REST as written (the admin console's realm file upload posts it to the same endpoint), its
 * placeholders read as their defaults, and README's admin REST examples, run by bash as printed with only
 * the site's URL and realm put into the line that declares them, answer 2xx with JSON.
 */
@ExtendWith(ReplicaStack.class)
class SampleFilesIT {

    private static final String SAMPLE_REALM = "acme-realm.json";
    private static final String STORAGE = "org.keycloak.storage.UserStorageProvider";
    /**
     * Put before README's lines, which stay as printed: stop at the first failing command, and have every
     * curl also say, on stderr, what status it got for which URL.
     */
    private static final String OBSERVED = "set -e -o pipefail\n"
            + "curl() { command curl -w '\\n%{stderr}HTTP %{http_code} %{url_effective}\\n' \"$@\"; }\n";
    private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP (\\d{3}) (\\S+)$");

    @TempDir
    Path dir;

    @Test
    void theSampleRealmFileIsCreatedThroughAdminRestAsWritten(ReplicaSite site) throws IOException {
        // The shared site holds 'acme' already: the copy differs in its name only.
        ObjectNode file = sampleRealm();
        String name = People.uniqueName("sample");
        file.put("realm", name);
        try {
            KeycloakHttp.Response created = site.keycloak().admin("POST", "", file);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);

            JsonNode realm = site.keycloak().admin("GET", name, null).json();
            assertThat(realm.get("loginTheme").asText()).isEqualTo("replica");
            assertThat(realm.get("browserFlow").asText()).isEqualTo("replica browser");
            JsonNode components = site.keycloak().admin("GET", name + "/components?type=" + STORAGE, null).json();
            assertThat(components).hasSize(1);
            Map<String, String> settings = settings(components.get(0));
            assertThat(settings).as("each placeholder's default, as a start-up import without the variables gives them")
                    .containsEntry("bootstrapServers", "127.0.0.1:9092")
                    .containsEntry("topicPrefix", "acme")
                    .containsEntry("consumerGroup", "replica-site-1")
                    .containsEntry("upstreamName", "the HQ Keycloak");
            assertThat(settings.getOrDefault("writePathUrl", "")).as("no write path").isEmpty();
            assertThat(settings.values()).noneMatch(value -> value.contains("${"));
            assertThat(Files.readString(site.server().logFile())).containsPattern("replica component 'upstream' of realm '" + name
                    + "': .*Bootstrap servers \\(\\$\\{REPLICA_KAFKA_BOOTSTRAP_SERVERS:\\.\\.\\.}\\).* were placeholders and now hold their defaults");
            // Keycloak itself keeps the file's other placeholders as written (docs/configuration.md says so).
            String clientId = site.keycloak().admin("GET", name + "/clients?clientId=replica-confidential", null).json().get(0)
                    .get("id").asText();
            assertThat(site.keycloak().admin("GET", name + "/clients/" + clientId + "/client-secret", null).json().get("value").asText())
                    .isEqualTo("${REPLICA_CLIENT_SECRET:replica-secret}");
        } finally {
            site.keycloak().admin("DELETE", name, null);
        }
    }

    @Test
    void aReplicaSettingRefusedWhileARealmIsCreatedIsA400WithTheReasonAndLeavesNoRealm(ReplicaSite site) {
        Map<String, String> refusals = Map.of(
                "${REPLICA_KAFKA_BOOTSTRAP_SERVERS}", "Bootstrap servers (${REPLICA_KAFKA_BOOTSTRAP_SERVERS}) is a placeholder without a "
                        + "default: Keycloak fills a realm file's placeholders from its environment only when it imports the file at start-up",
                "kafka-1", "Bootstrap server 'kafka-1' is not host:port.");
        refusals.forEach((bootstrapServers, reason) -> {
            ObjectNode file = sampleRealm();
            String name = People.uniqueName("refused");
            file.put("realm", name);
            ((ObjectNode) file.at("/components/" + STORAGE + "/0/config")).putArray("bootstrapServers").add(bootstrapServers);
            try {
                KeycloakHttp.Response refused = site.keycloak().admin("POST", "", file);
                assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
                assertThat(refused.json().get("errorMessage").asText()).as(bootstrapServers).contains(reason);
                assertThat(site.keycloak().admin("GET", name, null).status()).as("no half-made realm").isEqualTo(404);
            } finally {
                site.keycloak().admin("DELETE", name, null);
            }
        });
    }

    @Test
    void aPlaceholderSavedThroughTheComponentResourceIsReadTheSameWay(ReplicaSite site) {
        try (TestRealm realm = new TestRealm(site, "placeholders")) {
            KeycloakHttp.Response refused = site.keycloak().admin("POST", realm.name + "/components", TestRealm.component(Map.of(
                    "bootstrapServers", site.stack().broker().bootstrapServers(), "topicPrefix", realm.name, "consumerGroup", "${SITE_GROUP}")));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.json().get("errorMessage").asText()).startsWith("Consumer group (${SITE_GROUP}) is a placeholder without a default");

            KeycloakHttp.Response created = site.keycloak().admin("POST", realm.name + "/components", TestRealm.component(Map.of(
                    "bootstrapServers", site.stack().broker().bootstrapServers(), "topicPrefix", realm.name,
                    "consumerGroup", "${SITE_GROUP:" + realm.name + "}")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            JsonNode component = site.keycloak().admin("GET", realm.name + "/components?type=" + STORAGE, null).json().get(0);
            assertThat(settings(component)).containsEntry("consumerGroup", realm.name);
        }
    }

    @Test
    void readmesAdminRestExamplesRunAsPrinted(ReplicaSite site) throws Exception {
        AdminRestExamples printed = AdminRestExamples.fromReadme(StackArtifacts.load().readme());
        assertThat(site.server().adminUsername() + " / " + site.server().adminPassword()).as("the admin README's token line names")
                .isEqualTo("admin / admin");
        try (TestRealm realm = new TestRealm(site, "readme")) {
            Upstream upstream = realm.upstream(1).startHeartbeats(Duration.ofMillis(500));
            realm.replicate(upstream, TestRealm.linkSettings(10, 1));
            // README's targeted sync and subject view are about the demo's alice, under the subject README declares.
            String subject = printed.declared(AdminRestExamples.SUBJECT);
            upstream.upsert(subject, People.person("alice"));
            realm.awaitUser("alice", u -> true);
            realm.awaitLinkReachable();
            AdminRestExamples here = printed.with(AdminRestExamples.BASE_URL, site.server().baseUrl().toString())
                    .with(AdminRestExamples.REALM, realm.name);

            Path out = dir.resolve("stdout");
            Path err = dir.resolve("stderr");
            Process bash = new ProcessBuilder("bash", "-c", OBSERVED + here.script())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(bash.waitFor(60, TimeUnit.SECONDS)).as("README's commands finished").isTrue();
            String stdout = Files.readString(out, StandardCharsets.UTF_8);
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            String ran = here.script() + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
            assertThat(bash.exitValue()).as(ran).isZero();

            List<String> calls = new ArrayList<>();
            Matcher status = STATUS_LINE.matcher(stderr);
            while (status.find()) {
                calls.add(status.group(1) + " " + status.group(2));
                assertThat(status.group(1)).as(ran).startsWith("2");
            }
            assertThat(calls).as(ran).hasSize(here.calls());
            // Everything but the token, which went to jq, was printed: one JSON document per call.
            List<JsonNode> answers = new ArrayList<>();
            try (JsonParser documents = KeycloakHttp.JSON.createParser(stdout)) {
                while (documents.nextToken() != null) {
                    answers.add(KeycloakHttp.JSON.readTree(documents));
                }
            }
            assertThat(answers).as(ran).hasSize(here.calls() - 1).allMatch(JsonNode::isContainerNode);
            assertThat(answers.get(0).get(0).get("state").asText()).as("the link").isIn("RECOVERING", "CONNECTED");
            assertThat(answers).as("the targeted sync started").anyMatch(a -> "targeted".equals(a.path("kind").asText()));
            assertThat(answers.get(answers.size() - 1).get(0).get("subject").asText()).as("the subject view").isEqualTo(subject);
        }
    }

    private static ObjectNode sampleRealm() {
        try {
            return (ObjectNode) KeycloakHttp.JSON.readTree(StackArtifacts.load().realmFile(SAMPLE_REALM).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A component's settings as admin REST shows them, first value of each. */
    private static Map<String, String> settings(JsonNode component) {
        Map<String, String> settings = new LinkedHashMap<>();
        component.get("config").properties().forEach(s -> settings.put(s.getKey(), s.getValue().isEmpty() ? "" : s.getValue().get(0).asText()));
        return settings;
    }
}
