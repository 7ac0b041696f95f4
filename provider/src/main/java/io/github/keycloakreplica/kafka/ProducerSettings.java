package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.publisher.PublisherConfig;
import io.github.keycloakreplica.stream.LogSafe;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Kafka configuration of a primary realm's publisher: the producer settings an administrator may give
 * (connection, security and the producer's tuning, on the same rules as the replica's consumers, see
 * {@link ClientPropertyRules}), and ours on top: an idempotent, transactional producer whose sends every in-sync
 * replica holds, that gives up on a broker that does not answer soon enough for its thread to notice. The admin
 * client that creates missing topics and the consumer that reads end offsets for heartbeats get the same
 * connection settings.
 */
public final class ProducerSettings {

    private static final Logger log = Logger.getLogger(ProducerSettings.class);

    /**
     * How long a send, a metadata look-up or a transaction call may block the relay's thread on a broker that
     * does not answer (Kafka's is 60 s). The relay's thread also sends the heartbeats, and a relay that waits a
     * minute on a dead broker notices nothing else meanwhile.
     */
    static final long MAX_BLOCK_MS = 10_000;
    /** How long Kafka keeps retrying a record before the send fails and the relay tries its batch again: Kafka's own. */
    static final long DELIVERY_TIMEOUT_MS = 120_000;

    /** Every one a key of Kafka 4.1's {@link ProducerConfig} (a unit test holds Kafka to that). */
    static final Set<String> ACCEPTED = KafkaPropertyAllowlist.union(ClientPropertyRules.CONNECTION, ClientPropertyRules.NETWORK, Set.of(
            // The producer's own tuning: batching, compression, sizes and its timeouts.
            "linger.ms", "batch.size", "buffer.memory", "compression.type", "compression.gzip.level", "compression.lz4.level",
            "compression.zstd.level", "max.request.size", "delivery.timeout.ms", "max.block.ms",
            "max.in.flight.requests.per.connection", "transaction.timeout.ms", "metadata.max.idle.ms"));

    /** Ours, each with why: the publisher's guarantees rest on them. */
    static final Map<String, String> RESERVED = Map.of(
            "bootstrap.servers", "it comes from the Bootstrap servers setting",
            "transactional.id", "the publisher gives each realm's relay one of its own, with which Kafka fences a relay that "
                    + "stalled after another node took over",
            "enable.idempotence", "it is always true: a send Kafka retries is then written once",
            "acks", "it is always all: a change counts as published only once every in-sync broker holds it",
            "key.serializer", "the relay writes the subject as the key itself",
            "value.serializer", "the relay writes the CloudEvents JSON itself",
            "client.id", "the publisher names its clients itself (keycloak-replica-publisher-<realm>, with -admin and -offsets), "
                    + "which is also the name to give broker quotas");

    private static final Map<String, String> WHY_NOT = Map.of(
            "sasl.kerberos.kinit.cmd", ClientPropertyRules.RUNS_A_PROGRAM,
            "partitioner.ignore.keys", "every record goes to its subject's partition, which keeps one person's changes in order",
            "retries", "a transactional producer needs Kafka's retries; delivery.timeout.ms bounds how long they go on",
            "transaction.two.phase.commit.enable", "the relay commits each of its transactions itself");

    private static final long MIB = ClientPropertyRules.MIB;

    private static final Map<String, ClientPropertyRules.Bound> BOUNDS = KafkaPropertyAllowlist.with(ClientPropertyRules.TIMEOUT_FLOORS, Map.of(
            "linger.ms", new ClientPropertyRules.Bound(0, 1_000,
                    "every change waits this long before it is sent, and the replicas see it that much later"),
            "batch.size", new ClientPropertyRules.Bound(0, 16 * MIB, "batches are held in Keycloak's heap"),
            "buffer.memory", new ClientPropertyRules.Bound(4 * MIB, 256 * MIB,
                    "unsent records are held in Keycloak's heap, and a record of up to 1 MiB (the most a replica accepts) must fit"),
            "max.request.size", new ClientPropertyRules.Bound(MIB, 64 * MIB,
                    "a record of up to 1 MiB is one a replica accepts, and a record the producer refuses stops the relay, which "
                            + "never skips one"),
            "max.block.ms", new ClientPropertyRules.Bound(1_000, 30_000,
                    "the relay's thread waits this long for a broker that does not answer, sending no heartbeat meanwhile"),
            "delivery.timeout.ms", new ClientPropertyRules.Bound(1_000, Integer.MAX_VALUE,
                    "a shorter timeout fails sends to any broker not on this machine"),
            "max.in.flight.requests.per.connection", new ClientPropertyRules.Bound(1, 5,
                    "an idempotent producer keeps a subject's records in order with at most 5 requests in flight"),
            "transaction.timeout.ms", new ClientPropertyRules.Bound(10_000, 900_000,
                    "brokers abort a transaction open longer than this, and refuse more than their transaction.max.timeout.ms "
                            + "(15 minutes unless raised)"),
            "reconnect.backoff.max.ms", new ClientPropertyRules.Bound(0, 60_000,
                    "a longer backoff keeps the relay waiting, and the replicas severed, long after the brokers are back"),
            "retry.backoff.max.ms", new ClientPropertyRules.Bound(0, 60_000,
                    "a longer backoff keeps the relay waiting, and the replicas severed, long after the brokers are back")));

    static final ClientPropertyRules RULES = new ClientPropertyRules("the publisher", "producer",
            ProducerConfig.configDef().configKeys(), ACCEPTED, RESERVED, WHY_NOT, BOUNDS);

    private static final Set<String> ADMIN_SETTINGS = AdminClientConfig.configNames();
    private static final Set<String> CONSUMER_SETTINGS = ConsumerConfig.configNames();

    private ProducerSettings() {
    }

    /**
     * Everything wrong with the publisher's Kafka client properties, in words an administrator can act on;
     * the other settings are {@link PublisherConfig#problems()}'.
     */
    public static List<String> problems(PublisherConfig config) {
        List<String> problems = new ArrayList<>();
        RULES.check(config.kafkaProperties(), config.kafkaSecretProperties(), problems);
        problems.addAll(combinationProblems(config.clientProperties()));
        return problems;
    }

    /** Problems that only the settings together show; {@code all} is both blocks merged. */
    static List<String> combinationProblems(Properties all) {
        List<String> problems = new ArrayList<>();
        Long delivery = ClientPropertyRules.longValue(all, "delivery.timeout.ms", DELIVERY_TIMEOUT_MS);
        Long linger = ClientPropertyRules.longValue(all, "linger.ms", (Long) ProducerConfig.configDef().defaultValues().get("linger.ms"));
        Long request = ClientPropertyRules.longValue(all, "request.timeout.ms",
                ((Integer) ProducerConfig.configDef().defaultValues().get("request.timeout.ms")).longValue());
        if (delivery != null && linger != null && request != null && delivery < linger + request) {
            problems.add("Kafka properties: 'delivery.timeout.ms' (" + delivery + (all.containsKey("delivery.timeout.ms") ? ""
                    : ", the publisher's default") + ") must be at least 'linger.ms' plus 'request.timeout.ms' (" + linger + " + "
                    + request + "): Kafka does not start a producer otherwise.");
        }
        return problems;
    }

    /** The producer of the relay: its transactional id (one per realm, the same on every node), its client id. */
    public static Properties of(PublisherConfig config, String transactionalId, String clientId) {
        return of(config, transactionalId, clientId, log::warn);
    }

    /** @param warn where a key left out is told, by name only: its value may be a secret */
    static Properties of(PublisherConfig config, String transactionalId, String clientId, Consumer<String> warn) {
        if (transactionalId == null || transactionalId.isBlank()) {
            throw new IllegalArgumentException("a transactional id is required: Kafka fences a stalled relay by it");
        }
        Properties properties = backOffs(config, clientId);
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(MAX_BLOCK_MS));
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(DELIVERY_TIMEOUT_MS));
        // Validation refuses every other key; a component saved before a key was refused may still hold one.
        properties.putAll(RULES.accepted(config.clientProperties(), key -> warn.accept(LogSafe.escape(clientId)
                + ": Kafka setting '" + LogSafe.escape(key, 100) + "' of the publisher is not among the settings the publisher "
                + "accepts and is left out; remove it from the realm's publisher settings")));
        // Ours: what makes a published change durable, written once, and a stalled relay fenced.
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        return properties;
    }

    /** The admin client that creates the realm's missing topics: the same connection, none of the producer's tuning. */
    public static Properties forAdmin(PublisherConfig config, String clientId) {
        Properties properties = backOffs(config, clientId);
        properties.putAll(only(ADMIN_SETTINGS, RULES.accepted(config.clientProperties(), key -> { })));
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return properties;
    }

    /**
     * The consumer that reads the topics' end offsets a heartbeat names: read_committed (the offsets a replica
     * can reach, past the relay's own committed transactions), no group, no commits, no topic created by asking.
     */
    public static Properties forOffsets(PublisherConfig config, String clientId) {
        Properties properties = backOffs(config, clientId);
        properties.putAll(only(CONSUMER_SETTINGS, RULES.accepted(config.clientProperties(), key -> { })));
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        return properties;
    }

    /**
     * What every client of the publisher starts from, before the administrator's settings: the replica's calm
     * back-offs while a broker is away (see ConsumerSettings), which the relay's clients need for the same reason.
     */
    private static Properties backOffs(PublisherConfig config, String clientId) {
        Objects.requireNonNull(config.bootstrapServers(), "bootstrap servers: only settings without problems make clients");
        Objects.requireNonNull(clientId, "clientId");
        Properties properties = new Properties();
        properties.put(CommonClientConfigs.RECONNECT_BACKOFF_MS_CONFIG, String.valueOf(ConsumerSettings.RECONNECT_BACKOFF_MS));
        properties.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, String.valueOf(ConsumerSettings.RECONNECT_BACKOFF_MAX_MS));
        properties.put(CommonClientConfigs.RETRY_BACKOFF_MAX_MS_CONFIG, String.valueOf(ConsumerSettings.RETRY_BACKOFF_MAX_MS));
        return properties;
    }

    private static Properties only(Set<String> known, Properties given) {
        Properties kept = new Properties();
        for (String key : given.stringPropertyNames()) {
            if (known.contains(key)) {
                kept.setProperty(key, given.getProperty(key));
            }
        }
        return kept;
    }
}
