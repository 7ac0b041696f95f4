package io.github.keycloakreplica.stack.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.keycloakreplica.stack.KafkaBroker;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.Heartbeat;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentitySnapshot;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.Topics;
import io.github.keycloakreplica.stream.VersionedValue;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A stand-in for an upstream authority that is not Keycloak (an HR feed, another IdP): it keeps each
 * subject's state with the per-attribute and per-credential versions an authority keeps, publishes
 * every change as a delta to Kafka keyed by subject and, like a real authority, the subject's full
 * state to the compacted snapshot topics. Tests drive a replica with it (the demo has a real primary); the
 * {@code …Event} methods change the state and publish the snapshot but hand the delta back unsent, so a
 * test can reorder, duplicate, hold back or lose it.
 *
 * <p>It stays one class of about 400 lines on purpose: it is the authority's whole vocabulary as tests speak
 * it (one method per kind of change a person undergoes), each a few lines over the same state and producer;
 * split up, a test would have to know which part owns which change.
 */
public final class Upstream implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final StreamCodec CODEC = new StreamCodec();

    private final String bootstrapServers;
    private final Topics topics;
    private final String source;
    private final KafkaProducer<String, byte[]> producer;
    private final Map<String, Subject> subjects = new ConcurrentHashMap<>();
    private volatile boolean snapshots = true;
    private ScheduledExecutorService heartbeats;
    private KafkaConsumer<byte[], byte[]> offsets;

    /** One subject at the authority: versions of everything it ever had, values of what it has now. */
    private static final class Subject {
        final Map<String, Long> attributeVersions = new TreeMap<>();
        final Map<String, JsonNode> attributeValues = new TreeMap<>();
        final Map<String, Long> credentialVersions = new TreeMap<>();
        final Map<String, ReplicatedCredential> credentials = new TreeMap<>();
    }

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

    /**
     * Stops publishing snapshot records, for tests in which only the deltas may carry the changes (a
     * replica that bootstraps from snapshots published ahead of the deltas would find them covered).
     */
    public Upstream withoutSnapshots() {
        snapshots = false;
        return this;
    }

    /**
     * The delta-topic partition a subject's events go to (Kafka's default partitioner on the record key),
     * for tests that need two subjects' events in one order: Kafka orders records within a partition only.
     */
    public int partitionOf(String subject) {
        int partitions = producer.partitionsFor(topics.identity()).size();
        return Utils.toPositive(
                Utils.murmur2(subject.getBytes(StandardCharsets.UTF_8))) % partitions;
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
        return send(upsertEvent(subject, attributes));
    }

    public IdentityUpsert upsertEvent(String subject, Map<String, ?> attributes) {
        Subject s = subject(subject);
        Map<String, VersionedValue> changed = new LinkedHashMap<>();
        synchronized (s) {
            attributes.forEach((name, value) -> {
                long version = s.attributeVersions.merge(name, 1L, Long::sum);
                JsonNode node = MAPPER.valueToTree(value);
                if (node.isNull()) {
                    s.attributeValues.remove(name);
                } else {
                    s.attributeValues.put(name, node);
                }
                changed.put(name, new VersionedValue(node, version));
            });
        }
        publishIdentitySnapshot(subject, s);
        return new IdentityUpsert(envelope(EventType.IDENTITY_UPSERTED, subject), changed);
    }

    /** Deletes a subject: every attribute it had moves to its next version, which the replica keeps as tombstone. */
    public IdentityDeletion delete(String subject) {
        return send(deleteEvent(subject));
    }

    public IdentityDeletion deleteEvent(String subject) {
        Subject s = subject(subject);
        Map<String, Long> tombstone;
        synchronized (s) {
            s.attributeVersions.replaceAll((name, version) -> version + 1);
            s.attributeVersions.putIfAbsent("username", 1L);
            s.attributeValues.clear();
            tombstone = new TreeMap<>(s.attributeVersions);
        }
        publishIdentitySnapshot(subject, s);
        return new IdentityDeletion(envelope(EventType.IDENTITY_DELETED, subject), tombstone);
    }

    public CredentialUpsert password(String subject, String credentialId, String password) {
        return credential(subject, credentialId, "password", KeycloakCredentials.password(password), null);
    }

    public CredentialUpsert totp(String subject, String credentialId, String secret, String label) {
        return credential(subject, credentialId, "otp", KeycloakCredentials.totp(secret), label);
    }

    public CredentialUpsert credential(String subject, String credentialId, String type, KeycloakCredentials.Stored stored,
                                       String label) {
        return send(credentialEvent(subject, credentialId, type, stored, label));
    }

    public CredentialUpsert credentialEvent(String subject, String credentialId, String type, KeycloakCredentials.Stored stored,
                                            String label) {
        Subject s = subject(subject);
        ReplicatedCredential credential;
        synchronized (s) {
            long version = s.credentialVersions.merge(credentialId, 1L, Long::sum);
            credential = new ReplicatedCredential(credentialId, type, version, stored.credentialData(), stored.secretData(),
                    System.currentTimeMillis(), label);
            s.credentials.put(credentialId, credential);
        }
        publishCredentialsSnapshot(subject, s);
        return new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED, subject), credential);
    }

    public CredentialRevocation revoke(String subject, String credentialId, String type) {
        return send(revokeEvent(subject, credentialId, type));
    }

    public CredentialRevocation revokeEvent(String subject, String credentialId, String type) {
        Subject s = subject(subject);
        long version;
        synchronized (s) {
            version = s.credentialVersions.merge(credentialId, 1L, Long::sum);
            s.credentials.remove(credentialId);
        }
        publishCredentialsSnapshot(subject, s);
        return new CredentialRevocation(envelope(EventType.CREDENTIAL_REVOKED, subject), credentialId, type, version);
    }

    /** The attributes a subject has at the authority now (none once deleted), by name. */
    public Map<String, JsonNode> attributes(String subject) {
        Subject s = subject(subject);
        synchronized (s) {
            return Map.copyOf(s.attributeValues);
        }
    }

    /** The credentials a subject has at the authority now, by id. */
    public List<ReplicatedCredential> credentials(String subject) {
        Subject s = subject(subject);
        synchronized (s) {
            return List.copyOf(s.credentials.values());
        }
    }

    /** The version of a credential at the authority (of its revocation when it is gone), 0 when it never existed. */
    public long credentialVersion(String subject, String credentialId) {
        Subject s = subject(subject);
        synchronized (s) {
            return s.credentialVersions.getOrDefault(credentialId, 0L);
        }
    }

    /** Publishes an event as it is, to the topic its type belongs on, keyed by its subject; waits for the broker. */
    public <T extends StreamEvent> T send(T event) {
        await(sendAsync(event));
        return event;
    }

    /** Publishes many events, in order, waiting only once at the end. */
    public void sendAll(List<? extends StreamEvent> events) {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        events.forEach(event -> sent.add(sendAsync(event)));
        sent.forEach(this::await);
    }

    /**
     * Starts sending a heartbeat every {@code interval}, as an authority must: it names the end offsets of
     * the delta topics at that moment, so a replica can tell whether it has applied everything published
     * before. Sending continues while the broker is away (the producer retries) until {@link #stopHeartbeats}.
     */
    public synchronized Upstream startHeartbeats(Duration interval) {
        stopHeartbeats();
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "upstream-heartbeats-" + topics.prefix());
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleAtFixedRate(() -> {
            try {
                sendHeartbeat(interval);
            } catch (RuntimeException e) {
                System.err.println("upstream " + source + ": heartbeat not sent: " + e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        heartbeats = executor;
        return this;
    }

    /** Stops the heartbeats (the link looks cut to a replica although the broker is fine). */
    public synchronized void stopHeartbeats() {
        if (heartbeats != null) {
            heartbeats.shutdownNow();
            try {
                heartbeats.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            heartbeats = null;
        }
    }

    public boolean heartbeating() {
        return heartbeats != null;
    }

    /** Sends one heartbeat now, naming the delta topics' end offsets; does not wait for the broker. */
    public Heartbeat sendHeartbeat(Duration interval) {
        Map<String, Map<Integer, Long>> positions = new LinkedHashMap<>();
        synchronized (this) {
            if (offsets == null) {
                Properties properties = new Properties();
                properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
                properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "upstream-offsets-" + topics.prefix());
                offsets = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics.deltas()) {
                offsets.partitionsFor(topic, Duration.ofSeconds(5)).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            offsets.endOffsets(partitions, Duration.ofSeconds(5)).forEach((partition, end) ->
                    positions.computeIfAbsent(partition.topic(), t -> new TreeMap<>()).put(partition.partition(), end));
        }
        Heartbeat heartbeat = new Heartbeat(envelope(EventType.HEARTBEAT, "heartbeat"), interval, positions);
        producer.send(new ProducerRecord<>(topics.heartbeat(), heartbeat.envelope().subject(), CODEC.encode(heartbeat)));
        return heartbeat;
    }

    /** Waits until everything published so far (snapshot records included) is on the broker. */
    public void flush() {
        producer.flush();
    }

    /** Publishes any bytes, valid or not; for tests of what the replica does with bad input. */
    public void sendRaw(String topic, String key, byte[] value) {
        await(producer.send(new ProducerRecord<>(topic, key, value)));
    }

    public Envelope envelope(EventType type, String subject) {
        return new Envelope(UUID.randomUUID().toString(), source, type, subject, Instant.now().toString());
    }

    /** The event as JSON, for tests that want to break it in a specific place. */
    public static JsonNode toJson(StreamEvent event) {
        try {
            return MAPPER.readTree(CODEC.encode(event));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Future<RecordMetadata> sendAsync(StreamEvent event) {
        String topic = switch (event.envelope().type()) {
            case IDENTITY_UPSERTED, IDENTITY_DELETED -> topics.identity();
            case CREDENTIAL_UPSERTED, CREDENTIAL_REVOKED -> topics.credentials();
            case IDENTITY_SNAPSHOT -> topics.identitySnapshot();
            case CREDENTIALS_SNAPSHOT -> topics.credentialsSnapshot();
            case HEARTBEAT -> throw new IllegalArgumentException("heartbeats are sent with sendHeartbeat");
        };
        return producer.send(new ProducerRecord<>(topic, event.subject(), CODEC.encode(event)));
    }

    private void publishIdentitySnapshot(String subject, Subject s) {
        if (!snapshots) {
            return;
        }
        Map<String, VersionedValue> attributes = new LinkedHashMap<>();
        synchronized (s) {
            s.attributeVersions.forEach((name, version) -> attributes.put(name, new VersionedValue(s.attributeValues.get(name), version)));
        }
        sendAsync(new IdentitySnapshot(envelope(EventType.IDENTITY_SNAPSHOT, subject), attributes));
    }

    private void publishCredentialsSnapshot(String subject, Subject s) {
        if (!snapshots) {
            return;
        }
        List<ReplicatedCredential> present;
        Map<String, Long> revoked = new TreeMap<>();
        synchronized (s) {
            present = new ArrayList<>(s.credentials.values());
            s.credentialVersions.forEach((id, version) -> {
                if (!s.credentials.containsKey(id)) {
                    revoked.put(id, version);
                }
            });
        }
        sendAsync(new CredentialsSnapshot(envelope(EventType.CREDENTIALS_SNAPSHOT, subject), present, revoked));
    }

    private Subject subject(String subject) {
        return subjects.computeIfAbsent(subject, s -> new Subject());
    }

    private void await(Future<RecordMetadata> sent) {
        try {
            sent.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot publish to " + bootstrapServers, e);
        }
    }

    @Override
    public void close() {
        stopHeartbeats();
        synchronized (this) {
            if (offsets != null) {
                offsets.close(Duration.ofSeconds(5));
            }
        }
        producer.close(Duration.ofSeconds(5));
    }
}
