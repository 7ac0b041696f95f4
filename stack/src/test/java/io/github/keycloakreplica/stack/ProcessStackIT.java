package io.github.keycloakreplica.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Smoke test of the process backend: a real broker and a real Keycloak, crashed and restarted. */
class ProcessStackIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Stack stack;

    @BeforeAll
    static void startStack() {
        stack = Stack.builder().keycloak(KeycloakServerSpec.builder("smoke").build()).start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
            assertThat(stack.broker().isRunning()).isFalse();
            assertThat(stack.keycloak("smoke").isRunning()).isFalse();
        }
    }

    @Test
    void keycloakSurvivesACrashWithItsData(TestInfo test) throws Exception {
        KeycloakServer keycloak = stack.keycloak("smoke");
        try {
            assertThat(status(keycloak.managementUrl().resolve("/health/ready"))).isEqualTo(200);
            String token = adminToken(keycloak);
            HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(keycloak.baseUrl().resolve("/admin/realms"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"realm\":\"crash-test\",\"enabled\":true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            keycloak.kill();
            assertThat(keycloak.isRunning()).isFalse();
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                    .contains(keycloak.home().toString())).collect(Collectors.toList()))
                    .as("no process of the killed server is left").isEmpty();

            keycloak.start();
            assertThat(status(keycloak.managementUrl().resolve("/health/ready"))).isEqualTo(200);
            HttpResponse<String> realm = HTTP.send(HttpRequest.newBuilder(keycloak.baseUrl().resolve("/admin/realms/crash-test"))
                    .header("Authorization", "Bearer " + adminToken(keycloak)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(realm.statusCode()).as("realm created before the crash").isEqualTo(200);
        } catch (AssertionError | Exception e) {
            System.out.println(test.getDisplayName() + " failed; " + keycloak.logFile() + ":\n"
                    + LogTail.tail(keycloak.logFile(), 200));
            throw e;
        }
    }

    @Test
    void brokerKeepsItsDataAcrossAStopAndACrash() throws Exception {
        KafkaBroker broker = stack.broker();
        String topic = "smoke";
        broker.createTopics(Map.of(topic, 1));
        send(topic, "before");
        assertThat(readAll(topic, 1)).containsExactly("before");

        String address = broker.bootstrapServers();
        broker.stop();
        assertThat(broker.isRunning()).isFalse();
        broker.start();
        assertThat(broker.bootstrapServers()).isEqualTo(address);

        send(topic, "after");
        assertThat(readAll(topic, 2)).containsExactly("before", "after");

        broker.kill();
        assertThat(broker.isRunning()).isFalse();
        broker.start();
        send(topic, "after-crash");
        assertThat(readAll(topic, 3)).containsExactly("before", "after", "after-crash");
    }

    private static String adminToken(KeycloakServer keycloak) throws IOException, InterruptedException {
        String form = "grant_type=password&client_id=admin-cli&username=" + encode(keycloak.adminUsername())
                + "&password=" + encode(keycloak.adminPassword());
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                keycloak.baseUrl().resolve("/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("access_token").asText()).isNotBlank();
        return body.path("access_token").asText();
    }

    private static int status(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static void send(String topic, String value) throws Exception {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker().bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "key", value)).get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads the topic from the start in a new consumer group until {@code expected} records arrived (bounded). */
    private static List<String> readAll(String topic, int expected) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.broker().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "smoke-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
