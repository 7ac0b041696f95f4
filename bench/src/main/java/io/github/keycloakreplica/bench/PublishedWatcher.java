package io.github.keycloakreplica.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.keycloakreplica.stack.KeycloakHttp;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the primary's identity delta topic as the replica does ({@code read_committed}, from its end) and tells the
 * observer when each change's record became readable in Kafka. That splits a change's propagation into the primary's
 * part (capture, relay, Kafka transaction) and the replica's part (fetch, apply, admin REST), and lets the observer
 * leave the replica alone until there is something for it to show.
 */
final class PublishedWatcher implements Runnable {

    private final String bootstrapServers;
    private final String topic;
    private final PropagationObserver observer;
    private volatile boolean stopped;
    private volatile Throwable failure;
    private long records;

    PublishedWatcher(String bootstrapServers, String topic, PropagationObserver observer) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.observer = observer;
    }

    void stop() {
        stopped = true;
    }

    long records() {
        return records;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void run() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-publisher-watcher");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (!stopped) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    long now = System.nanoTime();
                    records++;
                    read(record, now);
                }
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    private void read(ConsumerRecord<String, String> record, long now) {
        JsonNode event;
        try {
            event = KeycloakHttp.JSON.readTree(record.value());
        } catch (IOException e) {
            return;
        }
        String subject = event.path("subject").asText(record.key());
        for (Map.Entry<String, JsonNode> attribute : event.path("data").path("attributes").properties()) {
            JsonNode value = attribute.getValue().path("value");
            if (value.isTextual()) {
                observer.published(subject, attribute.getKey(), value.asText(), now);
            }
        }
    }
}
