package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.store.PublisherRows;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A publishing realm's topics: which one an outbox row goes to, and making those that are missing. */
final class PublisherTopics {

    private static final Logger log = Logger.getLogger(PublisherTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private PublisherTopics() {
    }

    static String of(Topics topics, PublisherRows.Topic topic) {
        return switch (topic) {
            case IDENTITY -> topics.identity();
            case CREDENTIALS -> topics.credentials();
            case IDENTITY_SNAPSHOT -> topics.identitySnapshot();
            case CREDENTIALS_SNAPSHOT -> topics.credentialsSnapshot();
        };
    }

    /**
     * Creates the realm's topics that are missing: the deltas with the given partitions, the snapshots with as many
     * and compacted (a snapshot record replaces the person's last one), the heartbeat with one.
     */
    static void createMissing(Properties adminProperties, Topics topics, int partitions, String realmName) {
        Properties properties = new Properties();
        properties.putAll(adminProperties);
        try (Admin admin = Admin.create(properties)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics.deltas()) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()));
                }
            }
            for (String topic : List.of(topics.identitySnapshot(), topics.credentialsSnapshot())) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(compacted));
                }
            }
            if (!existing.contains(topics.heartbeat())) {
                missing.add(new NewTopic(topics.heartbeat(), Optional.of(1), Optional.empty()));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.infof("publisher of realm %s: created the topics %s", LogSafe.escape(realmName),
                        missing.stream().map(NewTopic::name).toList());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the realm's topics", e);
        } catch (ExecutionException | TimeoutException e) {
            if (e.getCause() instanceof TopicExistsException) {
                // Another node made it meanwhile.
                return;
            }
            throw new IllegalStateException("could not create the realm's topics: " + (e.getCause() == null ? e : e.getCause()), e);
        }
    }
}
