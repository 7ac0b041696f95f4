package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * What the primary published, read as a replica would (read_committed, so only what the publisher's Kafka
 * transactions committed) but with a plain consumer of the test's own and no consumer group, and how the
 * broker holds the topics the publisher created: the tests judge the records themselves, not only what a
 * replica made of them.
 */
final class PublishedEvents {

    private PublishedEvents() {
    }

    /**
     * The CloudEvents on the topic (from its start) keyed by the subject, in partition order, waiting until
     * one of them meets the condition or the time is up; the list is whatever was there then.
     */
    static List<JsonNode> ofSubject(String bootstrapServers, String topic, String subject, Duration within, Predicate<JsonNode> until) {
        Properties properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "it-published-events");
        List<JsonNode> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(Duration.ofSeconds(10));
            List<PartitionInfo> partitions = topics.get(topic);
            if (partitions == null) {
                throw new AssertionError("no topic " + topic + " on the broker; there are " + topics.keySet());
            }
            List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            long deadline = System.nanoTime() + within.toNanos();
            while (System.nanoTime() < deadline) {
                boolean met = false;
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(250))) {
                    if (!subject.equals(record.key())) {
                        continue;
                    }
                    JsonNode event = parse(record.value());
                    events.add(event);
                    met |= until.test(event);
                }
                if (met) {
                    return events;
                }
            }
        }
        return events;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return KeycloakHttp.JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("a record that is not JSON: " + e.getMessage(), e);
        }
    }

    /** One topic as the broker holds it: its partition count and cleanup policy. */
    record TopicShape(int partitions, String cleanupPolicy) {
    }

    /** The topics of these names that exist, with their shape; a missing one is absent from the map. */
    static Map<String, TopicShape> shapes(String bootstrapServers, Collection<String> topics) {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        Map<String, TopicShape> shapes = new TreeMap<>();
        try (Admin admin = Admin.create(properties)) {
            List<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS).stream().filter(topics::contains).toList();
            if (existing.isEmpty()) {
                return shapes;
            }
            Map<String, TopicDescription> descriptions = admin.describeTopics(existing).allTopicNames().get(10, TimeUnit.SECONDS);
            List<ConfigResource> resources = existing.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
            for (String topic : existing) {
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
                shapes.put(topic, new TopicShape(descriptions.get(topic).partitions().size(),
                        config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()));
            }
            return shapes;
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("could not describe " + topics + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
