package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.stream.LogSafe;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

import javax.security.auth.login.AppConfigurationEntry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The Kafka consumer settings a replica component accepts. Whoever may edit the component is a realm
 * administrator, not the server's operator, and Kafka's configuration can load classes, read files and run
 * programs on the server; so only what shapes this site's connection to the brokers passes (security,
 * TLS, SASL, timeouts, fetch sizes, rack), each value parsed and checked by Kafka's own definition of the
 * setting and, where a value Kafka accepts would still stall the site, by a bound of ours.
 */
public final class KafkaPropertyAllowlist {

    /** Every one a key of Kafka 4.1's {@link ConsumerConfig} (a unit test holds Kafka to that). */
    static final Set<String> ACCEPTED = Set.of(
            "security.protocol",
            // TLS. The locations read files on this server; that is their job, and the operator's files are where they point.
            "ssl.protocol", "ssl.enabled.protocols", "ssl.cipher.suites", "ssl.endpoint.identification.algorithm", "ssl.provider",
            "ssl.keymanager.algorithm", "ssl.trustmanager.algorithm",
            "ssl.truststore.location", "ssl.truststore.type", "ssl.truststore.password", "ssl.truststore.certificates",
            "ssl.keystore.location", "ssl.keystore.type", "ssl.keystore.password", "ssl.key.password",
            "ssl.keystore.certificate.chain", "ssl.keystore.key",
            // SASL; the JAAS entry only with a login module of Kafka's or the JDK's Kerberos one (see JAAS_LOGIN_MODULES).
            "sasl.mechanism", "sasl.jaas.config",
            "sasl.kerberos.service.name", "sasl.kerberos.min.time.before.relogin", "sasl.kerberos.ticket.renew.jitter",
            "sasl.kerberos.ticket.renew.window.factor",
            "sasl.login.connect.timeout.ms", "sasl.login.read.timeout.ms", "sasl.login.refresh.buffer.seconds",
            "sasl.login.refresh.min.period.seconds", "sasl.login.refresh.window.factor", "sasl.login.refresh.window.jitter",
            "sasl.login.retry.backoff.ms", "sasl.login.retry.backoff.max.ms",
            // OAuth: client credentials or a signed assertion (the assertion files are the operator's, as keystores are).
            "sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.scope", "sasl.oauthbearer.client.credentials.client.id",
            "sasl.oauthbearer.client.credentials.client.secret", "sasl.oauthbearer.header.urlencode",
            "sasl.oauthbearer.scope.claim.name", "sasl.oauthbearer.sub.claim.name", "sasl.oauthbearer.expected.audience",
            "sasl.oauthbearer.expected.issuer", "sasl.oauthbearer.clock.skew.seconds",
            "sasl.oauthbearer.jwks.endpoint.url", "sasl.oauthbearer.jwks.endpoint.refresh.ms",
            "sasl.oauthbearer.jwks.endpoint.retry.backoff.ms", "sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms",
            "sasl.oauthbearer.assertion.algorithm", "sasl.oauthbearer.assertion.claim.aud", "sasl.oauthbearer.assertion.claim.iss",
            "sasl.oauthbearer.assertion.claim.sub", "sasl.oauthbearer.assertion.claim.exp.seconds",
            "sasl.oauthbearer.assertion.claim.nbf.seconds", "sasl.oauthbearer.assertion.claim.jti.include",
            "sasl.oauthbearer.assertion.file", "sasl.oauthbearer.assertion.private.key.file",
            "sasl.oauthbearer.assertion.private.key.passphrase", "sasl.oauthbearer.assertion.template.file",
            // The connection, the group membership's timing and the fetches.
            "client.rack", "client.dns.lookup", "request.timeout.ms", "default.api.timeout.ms", "session.timeout.ms",
            "heartbeat.interval.ms", "max.poll.records", "max.poll.interval.ms", "fetch.min.bytes", "fetch.max.bytes",
            "fetch.max.wait.ms", "max.partition.fetch.bytes", "receive.buffer.bytes", "send.buffer.bytes", "reconnect.backoff.ms",
            "reconnect.backoff.max.ms", "retry.backoff.ms", "retry.backoff.max.ms", "socket.connection.setup.timeout.ms",
            "socket.connection.setup.timeout.max.ms", "connections.max.idle.ms", "metadata.max.age.ms",
            "metadata.recovery.strategy", "metadata.recovery.rebootstrap.trigger.ms", "check.crcs", "isolation.level",
            "enable.metrics.push");

    /** The login modules a {@code sasl.jaas.config} entry may name: Kafka's own three and the JDK's Kerberos module (GSSAPI). */
    static final Set<String> JAAS_LOGIN_MODULES = Set.of(
            "org.apache.kafka.common.security.plain.PlainLoginModule",
            "org.apache.kafka.common.security.scram.ScramLoginModule",
            "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule",
            "com.sun.security.auth.module.Krb5LoginModule");

    static final Set<String> SASL_MECHANISMS = Set.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI");

    /** Settings that take class names without saying so in their name or type. */
    private static final Set<String> CLASS_LISTS = Set.of(
            "interceptor.classes", "metric.reporters", "partition.assignment.strategy", "security.providers");

    /** Why a setting Kafka has is still refused, where "not a setting for a site" would not tell the administrator enough. */
    private static final Map<String, String> WHY_NOT = Map.of(
            "sasl.kerberos.kinit.cmd", "it runs a program on this server",
            "client.id", "the replica names each of its consumers itself (keycloak-replica-<realm>-<component>, with -snapshots "
                    + "and -heartbeats), which is also the name to give broker quotas",
            "group.instance.id", "every node of the site would claim the same static membership and fence the others out",
            "group.protocol", "the replica runs Kafka's classic group protocol, whose session and heartbeat settings it sets",
            "group.remote.assignor", "the replica runs Kafka's classic group protocol, which has no broker-side assignor",
            "allow.auto.create.topics", "a replica never creates its authority's topics: a wrong topic prefix must show as "
                    + "missing topics, not as new empty ones");

    private static final String CLASS_LOADING = "it names Java classes that Kafka would load and run inside Keycloak";
    private static final String FILE_READING = "it makes Kafka read files and other sources on this server into its settings "
            + "(and from there into the server log)";

    /** A number Kafka accepts that would still stall a site, and why. */
    private record Bound(long min, long max, String why) {
    }

    private static final long MIB = 1024 * 1024;

    private static final Map<String, Bound> BOUNDS = Map.ofEntries(
            Map.entry("request.timeout.ms", new Bound(1_000, Integer.MAX_VALUE,
                    "a shorter timeout fails requests to any broker not on this machine")),
            Map.entry("default.api.timeout.ms", new Bound(1_000, Integer.MAX_VALUE,
                    "a shorter timeout fails the replica's position and commit calls")),
            Map.entry("socket.connection.setup.timeout.ms", new Bound(1_000, Long.MAX_VALUE,
                    "a shorter timeout fails every new connection")),
            Map.entry("socket.connection.setup.timeout.max.ms", new Bound(1_000, Long.MAX_VALUE,
                    "a shorter timeout fails every new connection")),
            Map.entry("max.poll.records", new Bound(1, 10_000,
                    "a poll is applied before the next one, and a poll that takes longer than max.poll.interval.ms costs the node "
                            + "its partitions")),
            Map.entry("max.poll.interval.ms", new Bound(10_000, Integer.MAX_VALUE,
                    "a node that takes longer to apply a poll leaves the group, and with a shorter interval a busy database makes "
                            + "the nodes hand the partitions around instead of applying")),
            Map.entry("fetch.max.bytes", new Bound(0, 128 * MIB,
                    "fetched records are held in Keycloak's heap, by three consumers per component")),
            Map.entry("max.partition.fetch.bytes", new Bound(0, 128 * MIB,
                    "fetched records are held in Keycloak's heap, by three consumers per component")),
            Map.entry("fetch.max.wait.ms", new Bound(0, 5_000,
                    "the heartbeat reader shares these settings, and a longer wait holds the authority's heartbeats back until "
                            + "the link looks cut")),
            Map.entry("reconnect.backoff.max.ms", new Bound(0, 60_000,
                    "a longer backoff keeps the site severed long after the brokers are back")),
            Map.entry("retry.backoff.max.ms", new Bound(0, 60_000,
                    "a longer backoff keeps the site severed long after the brokers are back")),
            Map.entry("heartbeat.interval.ms", new Bound(1, Integer.MAX_VALUE, "Kafka needs a positive interval")),
            Map.entry("session.timeout.ms", new Bound(1, Integer.MAX_VALUE, "Kafka needs a positive timeout")));

    /** The replica owns these: overriding them would break exactly-once apply or the topic layout. */
    static final Set<String> RESERVED_KAFKA_KEYS = Set.of(
            "bootstrap.servers", "group.id", "enable.auto.commit", "auto.offset.reset",
            "key.deserializer", "value.deserializer");

    /** Everything wrong with a component's Kafka client properties, in words an administrator can act on. */
    public static List<String> problems(ReplicaConfig config) {
        List<String> problems = new ArrayList<>();
        checkProperties(config.kafkaProperties(), "Kafka client properties", problems);
        checkProperties(config.kafkaSecretProperties(), "Kafka secret properties", problems);
        for (String key : config.kafkaProperties().stringPropertyNames()) {
            if (looksSecret(key) && accepts(key)) {
                problems.add("Kafka client property '" + key + "' holds a secret: move it to the Kafka secret properties, "
                        + "which Keycloak never shows again.");
            }
        }
        problems.addAll(combinationProblems(config.clientProperties()));
        return problems;
    }

    /** Each key: one the replica sets, one outside the allowlist, or an accepted one with a bad value; keys sorted. */
    private static void checkProperties(Properties properties, String field, List<String> problems) {
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String named = field + ": '" + LogSafe.escape(key, 100) + "' ";
            if (RESERVED_KAFKA_KEYS.contains(key)) {
                problems.add(named + "is set by the replica itself and cannot be overridden.");
                continue;
            }
            String refusal = refusal(key);
            if (refusal != null) {
                problems.add(named + refusal + ".");
                continue;
            }
            String valueProblem = valueProblem(key, properties.getProperty(key));
            if (valueProblem != null) {
                problems.add(named + valueProblem);
            }
        }
    }

    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("sasl.jaas.config") || k.endsWith(".password") || k.endsWith(".passphrase") || k.endsWith(".key")
                || k.contains("secret");
    }

    /** What the replica sets when the administrator does not (see ConsumerSettings); needed to check the two together. */
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;
    public static final int DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;

    private static final Set<String> HTTPS_ONLY = Set.of("sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.jwks.endpoint.url");

    private static final Map<String, ConfigDef.ConfigKey> KAFKA = ConsumerConfig.configDef().configKeys();

    private KafkaPropertyAllowlist() {
    }

    public static boolean accepts(String key) {
        return ACCEPTED.contains(key);
    }

    /**
     * Why the key is refused, as the end of a sentence that names it ("'x' " + this), or null when it is
     * accepted. Keys the replica sets itself are refused here too; {@link #problems} words those apart.
     */
    public static String refusal(String key) {
        if (accepts(key)) {
            return null;
        }
        String refused = "is not among the Kafka settings a replica accepts";
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.equals("config.providers") || lower.startsWith("config.providers.")) {
            return refused + ": " + FILE_READING;
        }
        ConfigDef.ConfigKey known = KAFKA.get(key);
        if (CLASS_LISTS.contains(key) || lower.endsWith(".class") || lower.endsWith(".classes")
                || known != null && known.type == ConfigDef.Type.CLASS) {
            return refused + ": " + CLASS_LOADING;
        }
        if (WHY_NOT.containsKey(key)) {
            return refused + ": " + WHY_NOT.get(key);
        }
        if (known == null) {
            return refused + ": Kafka has no consumer setting of that name";
        }
        return refused;
    }

    /**
     * What is wrong with an accepted key's value, as the end of a sentence that names the key, or null.
     * Never quotes the value: it may be a secret.
     */
    public static String valueProblem(String key, String value) {
        ConfigDef.ConfigKey definition = KAFKA.get(key);
        if (definition == null || !accepts(key)) {
            return null;
        }
        Object parsed;
        try {
            parsed = ConfigDef.parseType(key, value, definition.type);
            if (definition.validator != null) {
                definition.validator.ensureValid(key, parsed);
            }
        } catch (ConfigException e) {
            return "is not valid: " + kafkasReason(key, e);
        }
        if (parsed instanceof Number number && BOUNDS.containsKey(key)) {
            Bound bound = BOUNDS.get(key);
            long n = number.longValue();
            if (n < bound.min() || n > bound.max()) {
                String range = bound.max() >= Integer.MAX_VALUE ? "at least " + String.format(Locale.ROOT, "%,d", bound.min())
                        : "between " + String.format(Locale.ROOT, "%,d", bound.min()) + " and " + String.format(Locale.ROOT, "%,d", bound.max());
                return "must be " + range + ": " + bound.why() + ".";
            }
        }
        if (key.equals("sasl.mechanism") && !SASL_MECHANISMS.contains(value.trim())) {
            return "must be one of " + String.join(", ", SASL_MECHANISMS.stream().sorted().toList()) + ".";
        }
        if (HTTPS_ONLY.contains(key)) {
            return httpsProblem(value);
        }
        if (key.equals("sasl.jaas.config")) {
            return jaasProblem(value);
        }
        return null;
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
        Properties accepted = new Properties();
        for (String key : given.stringPropertyNames()) {
            if (accepts(key)) {
                accepted.setProperty(key, given.getProperty(key));
            } else {
                leftOut.accept(key);
            }
        }
        return accepted;
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

    /** Kafka's words after "Invalid value <value> for configuration <key>: ", which leave the value out. */
    private static String kafkasReason(String key, ConfigException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String marker = "for configuration " + key + ": ";
        int at = message.indexOf(marker);
        String reason = at < 0 ? "" : message.substring(at + marker.length()).trim();
        return (reason.isEmpty() ? "Kafka cannot read it as " + KAFKA.get(key).type.name().toLowerCase(Locale.ROOT) : reason)
                .replaceAll("\\.$", "") + ".";
    }

    private static String httpsProblem(String value) {
        String problem = "must be an https URL: Kafka reads a file: URL from this server's disk, and http would carry tokens in the clear.";
        try {
            URI uri = new URI(value.trim());
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                return problem;
            }
            if (uri.getRawUserInfo() != null) {
                return "must not carry a user name or password: Kafka would show the URL in its log.";
            }
            return null;
        } catch (URISyntaxException e) {
            return problem;
        }
    }

    private static String jaasProblem(String value) {
        List<AppConfigurationEntry> entries;
        try {
            entries = JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(value))).configurationEntries();
        } catch (RuntimeException e) {
            // Kafka's parser quotes parts of the entry, and the entry holds the password: its message stays out.
            return "is not one JAAS login entry Kafka can read, such as "
                    + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"…\" password=\"…\";";
        }
        for (AppConfigurationEntry entry : entries) {
            if (!JAAS_LOGIN_MODULES.contains(entry.getLoginModuleName())) {
                return "names the login module " + LogSafe.escape(entry.getLoginModuleName(), 200) + ", which a replica does not run: "
                        + CLASS_LOADING + "; it takes " + String.join(", ", JAAS_LOGIN_MODULES.stream().sorted().toList()) + ".";
            }
        }
        return null;
    }
}
