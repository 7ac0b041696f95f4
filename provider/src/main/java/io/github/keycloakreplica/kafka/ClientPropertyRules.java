package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.stream.LogSafe;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

import javax.security.auth.login.AppConfigurationEntry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The Kafka settings one kind of client of ours accepts from an administrator, and why it refuses the rest.
 * Whoever may edit a component is a realm administrator, not the server's operator, and Kafka's configuration
 * can load classes, read files and run programs on the server; so only what shapes the connection to the
 * brokers and the client's own tuning passes, each value parsed and checked by Kafka's own definition of the
 * setting and, where a value Kafka accepts would still stall us, by a bound of ours. The replica's consumers
 * ({@link KafkaPropertyAllowlist}) and the publisher's producer ({@link ProducerSettings}) each hold one.
 *
 * @param who      how messages name us: "a replica", "the publisher"
 * @param client   Kafka's word for the client: "consumer", "producer"
 * @param kafka    Kafka's definitions of that client's settings
 * @param accepted the settings taken; every one a key of {@code kafka} (unit tests hold Kafka to that)
 * @param reserved the settings we set ourselves, each with why ("" for no more than that)
 * @param whyNot   why a setting Kafka has is still refused, where "not among the settings" would not tell enough
 * @param bounds   numbers Kafka accepts that would still stall us
 */
record ClientPropertyRules(String who, String client, Map<String, ConfigDef.ConfigKey> kafka, Set<String> accepted,
                           Map<String, String> reserved, Map<String, String> whyNot, Map<String, Bound> bounds) {

    /** A number Kafka accepts that would still stall us, and why. */
    record Bound(long min, long max, String why) {
    }

    /** What reaches the brokers securely, the same for every client: security, TLS, SASL, OAuth. */
    static final Set<String> CONNECTION = Set.of(
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
            "sasl.oauthbearer.assertion.private.key.passphrase", "sasl.oauthbearer.assertion.template.file");

    /** The network settings every client has: name lookup, timeouts, buffers, back-offs, metadata. */
    static final Set<String> NETWORK = Set.of(
            "client.dns.lookup", "request.timeout.ms", "receive.buffer.bytes", "send.buffer.bytes", "reconnect.backoff.ms",
            "reconnect.backoff.max.ms", "retry.backoff.ms", "retry.backoff.max.ms", "socket.connection.setup.timeout.ms",
            "socket.connection.setup.timeout.max.ms", "connections.max.idle.ms", "metadata.max.age.ms",
            "metadata.recovery.strategy", "metadata.recovery.rebootstrap.trigger.ms", "enable.metrics.push");

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

    static final String CLASS_LOADING = "it names Java classes that Kafka would load and run inside Keycloak";
    private static final String FILE_READING = "it makes Kafka read files and other sources on this server into its settings "
            + "(and from there into the server log)";
    static final String RUNS_A_PROGRAM = "it runs a program on this server";

    static final long MIB = 1024 * 1024;

    /** The lower bounds below which a client fails against any broker not on this machine, the same for every client. */
    static final Map<String, Bound> TIMEOUT_FLOORS = Map.of(
            "request.timeout.ms", new Bound(1_000, Integer.MAX_VALUE,
                    "a shorter timeout fails requests to any broker not on this machine"),
            "socket.connection.setup.timeout.ms", new Bound(1_000, Long.MAX_VALUE,
                    "a shorter timeout fails every new connection"),
            "socket.connection.setup.timeout.max.ms", new Bound(1_000, Long.MAX_VALUE,
                    "a shorter timeout fails every new connection"));

    private static final Set<String> HTTPS_ONLY = Set.of("sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.jwks.endpoint.url");

    ClientPropertyRules {
        accepted = Set.copyOf(accepted);
        reserved = Map.copyOf(reserved);
        whyNot = Map.copyOf(whyNot);
        bounds = Map.copyOf(bounds);
        Set<String> both = new HashSet<>(accepted);
        both.retainAll(reserved.keySet());
        if (!both.isEmpty()) {
            throw new IllegalArgumentException("accepted and reserved at once: " + both);
        }
    }

    static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.equals("sasl.jaas.config") || k.endsWith(".password") || k.endsWith(".passphrase") || k.endsWith(".key")
                || k.contains("secret");
    }

    boolean accepts(String key) {
        return accepted.contains(key);
    }

    /**
     * Everything wrong with the two property blocks an administrator gave, each naming the block by its label;
     * the settings together ({@code combinationProblems} of the caller) are not looked at here.
     */
    void check(Properties properties, Properties secretProperties, List<String> problems) {
        check(properties, "Kafka client properties", problems);
        check(secretProperties, "Kafka secret properties", problems);
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            if (looksSecret(key) && accepts(key)) {
                problems.add("Kafka client property '" + key + "' holds a secret: move it to the Kafka secret properties, "
                        + "which Keycloak never shows again.");
            }
        }
    }

    /** Each key: one we set, one outside the allowlist, or an accepted one with a bad value; keys sorted. */
    private void check(Properties properties, String field, List<String> problems) {
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String named = field + ": '" + LogSafe.escape(key, 100) + "' ";
            if (reserved.containsKey(key)) {
                String why = reserved.get(key);
                problems.add(named + "is set by " + ourselves() + " and cannot be overridden" + (why.isEmpty() ? "" : ": " + why) + ".");
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

    /** "the replica itself", "the publisher itself". */
    private String ourselves() {
        return (who.startsWith("a ") ? "the " + who.substring(2) : who) + " itself";
    }

    /**
     * Why the key is refused, as the end of a sentence that names it ("'x' " + this), or null when it is
     * accepted. Keys we set ourselves are refused here too; {@link #check} words those apart.
     */
    String refusal(String key) {
        if (accepts(key)) {
            return null;
        }
        String refused = "is not among the Kafka settings " + who + " accepts";
        String lower = key.toLowerCase(Locale.ROOT);
        if (lower.equals("config.providers") || lower.startsWith("config.providers.")) {
            return refused + ": " + FILE_READING;
        }
        ConfigDef.ConfigKey known = kafka.get(key);
        if (CLASS_LISTS.contains(key) || lower.endsWith(".class") || lower.endsWith(".classes")
                || known != null && known.type == ConfigDef.Type.CLASS) {
            return refused + ": " + CLASS_LOADING;
        }
        if (whyNot.containsKey(key)) {
            return refused + ": " + whyNot.get(key);
        }
        if (reserved.containsKey(key) && !reserved.get(key).isEmpty()) {
            return refused + ": " + reserved.get(key);
        }
        if (known == null) {
            return refused + ": Kafka has no " + client + " setting of that name";
        }
        return refused;
    }

    /**
     * What is wrong with an accepted key's value, as the end of a sentence that names the key, or null.
     * Never quotes the value: it may be a secret.
     */
    String valueProblem(String key, String value) {
        ConfigDef.ConfigKey definition = kafka.get(key);
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
        if (parsed instanceof Number number && bounds.containsKey(key)) {
            Bound bound = bounds.get(key);
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

    /**
     * The accepted settings among the given ones; every other key is left out and handed to
     * {@code leftOut} (its name only: the value may be a secret).
     */
    Properties accepted(Properties given, Consumer<String> leftOut) {
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

    /** The value as a whole number, the fallback when it is absent, null when it is not one (its own problem, reported with the key). */
    static Long longValue(Properties all, String key, long fallback) {
        String value = all.getProperty(key);
        if (value == null) {
            return fallback;
        }
        try {
            return Long.valueOf(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Kafka's words after "Invalid value <value> for configuration <key>: ", which leave the value out. */
    private String kafkasReason(String key, ConfigException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        String marker = "for configuration " + key + ": ";
        int at = message.indexOf(marker);
        String reason = at < 0 ? "" : message.substring(at + marker.length()).trim();
        return (reason.isEmpty() ? "Kafka cannot read it as " + kafka.get(key).type.name().toLowerCase(Locale.ROOT) : reason)
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

    private String jaasProblem(String value) {
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
                return "names the login module " + LogSafe.escape(entry.getLoginModuleName(), 200) + ", which " + who + " does not run: "
                        + CLASS_LOADING + "; it takes " + String.join(", ", JAAS_LOGIN_MODULES.stream().sorted().toList()) + ".";
            }
        }
        return null;
    }
}
