package io.github.keycloakreplica.stack.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.stack.KafkaBroker;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import io.github.keycloakreplica.stream.VersionedValue;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for an upstream authority that is not Keycloak (an HR feed, another IdP): it keeps the
 * per-attribute and per-credential versions an authority keeps and publishes each change in the
 * stream format to Kafka, keyed by subject. Tests and the demo use it to drive a replica; tests that
 * need to reorder, duplicate or corrupt events build them here and send them as they like.
 */
public final class Upstream implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String bootstrapServers;
    private final Topics topics;
    private final String source;
    private static final StreamCodec CODEC = new StreamCodec();
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Map<String, Long>> attributeVersions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Long>> credentialVersions = new ConcurrentHashMap<>();

    public Upstream(String bootstrapServers, String topicPrefix, String source) {
        this.bootstrapServers = bootstrapServers;
        this.topics = new Topics(topicPrefix);
        this.source = source;
        Properties properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, "upstream-" + topicPrefix);
        this.producer = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
    }

    public Topics topics() {
        return topics;
    }

    public String source() {
        return source;
    }

    /** Creates the realm's topics on the broker: deltas and heartbeat as plain topics, snapshots compacted. */
    public void createTopics(KafkaBroker broker, int partitions) {
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        broker.createTopics(Map.of(topics.identity(), partitions, topics.credentials(), partitions, topics.heartbeat(), 1));
        broker.createTopic(topics.identitySnapshot(), partitions, compacted);
        broker.createTopic(topics.credentialsSnapshot(), partitions, compacted);
    }

    /**
     * Changes some attributes of a subject (creating it if new) and publishes the change. Values are
     * Strings, Booleans, Lists of Strings, or null to remove a user attribute.
     */
    public IdentityUpsert upsert(String subject, Map<String, ?> attributes) {
        Map<String, Long> versions = attributeVersions.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Map<String, VersionedValue> changed = new LinkedHashMap<>();
        attributes.forEach((name, value) -> {
            long version = versions.merge(name, 1L, Long::sum);
            changed.put(name, new VersionedValue(MAPPER.valueToTree(value), version));
        });
        IdentityUpsert event = new IdentityUpsert(envelope(EventType.IDENTITY_UPSERTED, subject), changed);
        send(event);
        return event;
    }

    /** Deletes a subject: every attribute it had moves to its next version, which the replica keeps as tombstone. */
    public IdentityDeletion delete(String subject) {
        Map<String, Long> versions = attributeVersions.computeIfAbsent(subject, s -> new ConcurrentHashMap<>());
        Map<String, Long> tombstone = new HashMap<>();
        versions.replaceAll((name, version) -> version + 1);
        tombstone.putAll(versions);
        if (tombstone.isEmpty()) {
            tombstone.put("username", versions.merge("username", 1L, Long::sum));
        }
        IdentityDeletion event = new IdentityDeletion(envelope(EventType.IDENTITY_DELETED, subject), tombstone);
        send(event);
        return event;
    }

    public CredentialUpsert password(String subject, String credentialId, String password) {
        return credential(subject, credentialId, "password", KeycloakCredentials.password(password), null);
    }

    public CredentialUpsert totp(String subject, String credentialId, String secret, String label) {
        return credential(subject, credentialId, "otp", KeycloakCredentials.totp(secret), label);
    }

    public CredentialUpsert credential(String subject, String credentialId, String type, KeycloakCredentials.Stored stored,
                                       String label) {
        long version = credentialVersions.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).merge(credentialId, 1L, Long::sum);
        CredentialUpsert event = new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED, subject),
                new ReplicatedCredential(credentialId, type, version, stored.credentialData(), stored.secretData(),
                        System.currentTimeMillis(), label));
        send(event);
        return event;
    }

    public CredentialRevocation revoke(String subject, String credentialId, String type) {
        long version = credentialVersions.computeIfAbsent(subject, s -> new ConcurrentHashMap<>()).merge(credentialId, 1L, Long::sum);
        CredentialRevocation event = new CredentialRevocation(envelope(EventType.CREDENTIAL_REVOKED, subject), credentialId, type, version);
        send(event);
        return event;
    }

    /** Publishes an event as it is, to the topic its type belongs on, keyed by its subject. */
    public void send(StreamEvent event) {
        boolean identity = event instanceof IdentityUpsert || event instanceof IdentityDeletion;
        sendRaw(identity ? topics.identity() : topics.credentials(), event.subject(), CODEC.encode(event));
    }

    /** Publishes any bytes, valid or not; for tests of what the replica does with bad input. */
    public void sendRaw(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot publish to " + topic + " at " + bootstrapServers, e);
        }
    }

    public Envelope envelope(EventType type, String subject) {
        return new Envelope(UUID.randomUUID().toString(), source, type, subject, Instant.now().toString());
    }

    /** The event as JSON, for tests that want to break it in a specific place. */
    public static JsonNode toJson(StreamEvent event) {
        try {
            return MAPPER.readTree(CODEC.encode(event));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
