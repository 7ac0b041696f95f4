package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.config.ReplicaConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The Kafka consumer settings a replica component accepts. Whoever may edit the component is a realm
 * administrator, not the server's operator, and Kafka's configuration can load classes, read files and run
 * programs on the server; so only what shapes this site's connection to the brokers passes (security,
 * TLS, SASL, timeouts, fetch sizes, rack), each value parsed and checked by Kafka's own definition of the
 * setting and, where a value Kafka accepts would still stall the site, by a bound of ours. The rules every
 * client of ours shares are {@link ClientPropertyRules}'; the publisher's producer has its own list
 * ({@link ProducerSettings}).
 */
public final class KafkaPropertyAllowlist {

    /** Every one a key of Kafka 4.1's {@link ConsumerConfig} (a unit test holds Kafka to that). */
    static final Set<String> ACCEPTED = union(ClientPropertyRules.CONNECTION, ClientPropertyRules.NETWORK, Set.of(
            // The group membership's timing and the fetches.
            "client.rack", "default.api.timeout.ms", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.records",
            "max.poll.interval.ms", "fetch.min.bytes", "fetch.max.bytes", "fetch.max.wait.ms", "max.partition.fetch.bytes",
            "check.crcs", "isolation.level"));

    /** The login modules a {@code sasl.jaas.config} entry may name: Kafka's own three and the JDK's Kerberos module (GSSAPI). */
    static final Set<String> JAAS_LOGIN_MODULES = ClientPropertyRules.JAAS_LOGIN_MODULES;

    static final Set<String> SASL_MECHANISMS = ClientPropertyRules.SASL_MECHANISMS;

    /** Why a setting Kafka has is still refused, where "not a setting for a site" would not tell the administrator enough. */
    private static final Map<String, String> WHY_NOT = Map.of(
            "sasl.kerberos.kinit.cmd", ClientPropertyRules.RUNS_A_PROGRAM,
            "client.id", "the replica names each of its consumers itself (keycloak-replica-<realm>-<component>, with -snapshots "
                    + "and -heartbeats), which is also the name to give broker quotas",
            "group.instance.id", "every node of the site would claim the same static membership and fence the others out",
            "group.protocol", "the replica runs Kafka's classic group protocol, whose session and heartbeat settings it sets",
            "group.remote.assignor", "the replica runs Kafka's classic group protocol, which has no broker-side assignor",
            "allow.auto.create.topics", "a replica never creates its authority's topics: a wrong topic prefix must show as "
                    + "missing topics, not as new empty ones");

    private static final long MIB = ClientPropertyRules.MIB;

    private static final Map<String, ClientPropertyRules.Bound> BOUNDS = with(ClientPropertyRules.TIMEOUT_FLOORS, Map.ofEntries(
            Map.entry("default.api.timeout.ms", new ClientPropertyRules.Bound(1_000, Integer.MAX_VALUE,
                    "a shorter timeout fails the replica's position and commit calls")),
            Map.entry("max.poll.records", new ClientPropertyRules.Bound(1, 10_000,
                    "a poll is applied before the next one, and a poll that takes longer than max.poll.interval.ms costs the node "
                            + "its partitions")),
            Map.entry("max.poll.interval.ms", new ClientPropertyRules.Bound(10_000, Integer.MAX_VALUE,
                    "a node that takes longer to apply a poll leaves the group, and with a shorter interval a busy database makes "
                            + "the nodes hand the partitions around instead of applying")),
            Map.entry("fetch.max.bytes", new ClientPropertyRules.Bound(0, 128 * MIB,
                    "fetched records are held in Keycloak's heap, by three consumers per component")),
            Map.entry("max.partition.fetch.bytes", new ClientPropertyRules.Bound(0, 128 * MIB,
                    "fetched records are held in Keycloak's heap, by three consumers per component")),
            Map.entry("fetch.max.wait.ms", new ClientPropertyRules.Bound(0, 5_000,
                    "the heartbeat reader shares these settings, and a longer wait holds the authority's heartbeats back until "
                            + "the link looks cut")),
            Map.entry("reconnect.backoff.max.ms", new ClientPropertyRules.Bound(0, 60_000,
                    "a longer backoff keeps the site severed long after the brokers are back")),
            Map.entry("retry.backoff.max.ms", new ClientPropertyRules.Bound(0, 60_000,
                    "a longer backoff keeps the site severed long after the brokers are back")),
            Map.entry("heartbeat.interval.ms", new ClientPropertyRules.Bound(1, Integer.MAX_VALUE, "Kafka needs a positive interval")),
            Map.entry("session.timeout.ms", new ClientPropertyRules.Bound(1, Integer.MAX_VALUE, "Kafka needs a positive timeout"))));

    /** The replica owns these: overriding them would break exactly-once apply or the topic layout. */
    static final Set<String> RESERVED_KAFKA_KEYS = Set.of(
            "bootstrap.servers", "group.id", "enable.auto.commit", "auto.offset.reset",
            "key.deserializer", "value.deserializer");

    /** What the replica sets when the administrator does not (see ConsumerSettings); needed to check the two together. */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;

    private static final ClientPropertyRules RULES = new ClientPropertyRules("a replica", "consumer", ConsumerConfig.configDef().configKeys(),
            ACCEPTED, reservedWithoutReason(), WHY_NOT, BOUNDS);

    private KafkaPropertyAllowlist() {
    }

    /** Everything wrong with a component's Kafka client properties, in words an administrator can act on. */
    public static List<String> problems(ReplicaConfig config) {
        List<String> problems = new ArrayList<>();
        RULES.check(config.kafkaProperties(), config.kafkaSecretProperties(), problems);
        problems.addAll(combinationProblems(config.clientProperties()));
        return problems;
    }

    static boolean looksSecret(String key) {
        return ClientPropertyRules.looksSecret(key);
    }

    public static boolean accepts(String key) {
        return RULES.accepts(key);
    }

    /**
     * Why the key is refused, as the end of a sentence that names it ("'x' " + this), or null when it is
     * accepted. Keys the replica sets itself are refused here too; {@link #problems} words those apart.
     */
    public static String refusal(String key) {
        return RULES.refusal(key);
    }

    /**
     * What is wrong with an accepted key's value, as the end of a sentence that names the key, or null.
     * Never quotes the value: it may be a secret.
     */
    public static String valueProblem(String key, String value) {
        return RULES.valueProblem(key, value);
    }

    /** Problems that only the settings together show; {@code all} is both blocks merged. */
    public static List<String> combinationProblems(Properties all) {
        List<String> problems = new ArrayList<>();
        Integer session = intValue(all, "session.timeout.ms", DEFAULT_SESSION_TIMEOUT_MS);
        Integer heartbeat = intValue(all, "heartbeat.interval.ms", DEFAULT_HEARTBEAT_INTERVAL_MS);
        if (session != null && heartbeat != null && heartbeat >= session) {
            problems.add("Kafka properties: 'heartbeat.interval.ms' (" + heartbeat + (all.containsKey("heartbeat.interval.ms") ? ""
                    : ", the replica's default") + ") must be less than 'session.timeout.ms' (" + session
                    + (all.containsKey("session.timeout.ms") ? "" : ", the replica's default") + "): Kafka does not start a consumer "
                    + "otherwise; a third of the session timeout is usual.");
        }
        return problems;
    }

    /**
     * The accepted settings among the given ones; every other key is left out and handed to
     * {@code leftOut} (its name only: the value may be a secret).
     */
    public static Properties accepted(Properties given, Consumer<String> leftOut) {
        return RULES.accepted(given, leftOut);
    }

    private static Integer intValue(Properties all, String key, int fallback) {
        String value = all.getProperty(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;  // its own problem, reported with the key
        }
    }

    private static Map<String, String> reservedWithoutReason() {
        Map<String, String> reserved = new HashMap<>();
        RESERVED_KAFKA_KEYS.forEach(key -> reserved.put(key, ""));
        return reserved;
    }

    @SafeVarargs
    static Set<String> union(Set<String>... sets) {
        Set<String> all = new HashSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return Set.copyOf(all);
    }

    static <V> Map<String, V> with(Map<String, V> shared, Map<String, V> own) {
        Map<String, V> all = new HashMap<>(shared);
        all.putAll(own);
        return Map.copyOf(all);
    }
}
