package io.github.keycloakreplica.publisher;

import io.github.keycloakreplica.stream.BootstrapServers;
import io.github.keycloakreplica.stream.KafkaPropertiesText;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.Topics;
import org.keycloak.component.ComponentModel;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * The settings of a primary realm's publisher, read from its {@code replica-publisher} component. Reading never
 * fails: what cannot be read is kept as a problem (and the setting at its default), so {@link #problems()} lists
 * everything wrong at once, each naming the setting by its label in the admin console. The Kafka client
 * properties are kept as given here and checked by the kafka package, which knows Kafka's configuration.
 *
 * @param unreadable what could not be read, as sentences for the administrator
 */
public record PublisherConfig(boolean enabled, String bootstrapServers, String topicPrefix, Properties kafkaProperties,
                              Properties kafkaSecretProperties, Duration heartbeatInterval, Duration reconcileInterval,
                              int topicPartitions, String source, List<String> unreadable) {

    public static final String ENABLED = "enabled";
    public static final String BOOTSTRAP_SERVERS = "bootstrapServers";
    public static final String TOPIC_PREFIX = "topicPrefix";
    public static final String KAFKA_PROPERTIES = "kafkaProperties";
    public static final String KAFKA_SECRET_PROPERTIES = "kafkaSecretProperties";
    public static final String HEARTBEAT_INTERVAL = "heartbeatIntervalSeconds";
    public static final String RECONCILE_INTERVAL = "reconcileIntervalSeconds";
    public static final String TOPIC_PARTITIONS = "topicPartitions";
    public static final String SOURCE = "source";

    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofSeconds(5);
    public static final long MIN_HEARTBEAT_SECONDS = 1;
    public static final long MAX_HEARTBEAT_SECONDS = 300;
    public static final Duration DEFAULT_RECONCILE_INTERVAL = Duration.ofSeconds(300);
    public static final long MIN_RECONCILE_SECONDS = 10;
    public static final long MAX_RECONCILE_SECONDS = 86_400;
    public static final int DEFAULT_TOPIC_PARTITIONS = 3;
    public static final int MIN_TOPIC_PARTITIONS = 1;
    public static final int MAX_TOPIC_PARTITIONS = 1_000;
    /** The envelope schema's bound: the replica's SOURCE columns are 255 characters. */
    public static final int MAX_SOURCE_CHARS = 255;
    /** The CloudEvents source of a realm's events unless set: {@code keycloak://primary/realms/<realm name>}. */
    public static final String DEFAULT_SOURCE_PREFIX = "keycloak://primary/realms/";

    public PublisherConfig {
        Objects.requireNonNull(kafkaProperties, "kafkaProperties");
        Objects.requireNonNull(kafkaSecretProperties, "kafkaSecretProperties");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(reconcileInterval, "reconcileInterval");
        unreadable = List.copyOf(unreadable);
    }

    /** The settings of a publisher component of the realm with this name (which names the events' default source). */
    public static PublisherConfig of(ComponentModel model, String realmName) {
        Map<String, String> settings = new HashMap<>();
        for (String name : List.of(ENABLED, BOOTSTRAP_SERVERS, TOPIC_PREFIX, KAFKA_PROPERTIES, KAFKA_SECRET_PROPERTIES, HEARTBEAT_INTERVAL,
                RECONCILE_INTERVAL, TOPIC_PARTITIONS, SOURCE)) {
            settings.put(name, model.get(name));
        }
        return of(settings, realmName);
    }

    /**
     * The events' source alone, as {@link #of(ComponentModel, String)} would read it: for a request that needs no
     * other setting, and so reads neither the Kafka properties nor their secrets.
     */
    public static String sourceOf(ComponentModel model, String realmName) {
        String source = trimmed(model.get(SOURCE));
        return source.isEmpty() ? defaultSource(realmName) : source;
    }

    /** The settings as the component holds them, setting name to value (absent or null: not set). */
    public static PublisherConfig of(Map<String, String> settings, String realmName) {
        List<String> unreadable = new ArrayList<>();
        boolean enabled = switch (trimmed(settings.get(ENABLED)).toLowerCase(Locale.ROOT)) {
            case "", "true" -> true;
            case "false" -> false;
            default -> {
                unreadable.add(label(ENABLED) + " must be on or off (true or false), was '" + LogSafe.escape(settings.get(ENABLED), 50) + "'.");
                yield true;
            }
        };
        Properties properties = properties(settings.get(KAFKA_PROPERTIES), label(KAFKA_PROPERTIES), unreadable);
        Properties secrets = properties(settings.get(KAFKA_SECRET_PROPERTIES), label(KAFKA_SECRET_PROPERTIES), unreadable);
        Duration heartbeat = Duration.ofSeconds(number(settings.get(HEARTBEAT_INTERVAL), HEARTBEAT_INTERVAL,
                DEFAULT_HEARTBEAT_INTERVAL.toSeconds(), MIN_HEARTBEAT_SECONDS, MAX_HEARTBEAT_SECONDS, unreadable));
        Duration reconcile = Duration.ofSeconds(number(settings.get(RECONCILE_INTERVAL), RECONCILE_INTERVAL,
                DEFAULT_RECONCILE_INTERVAL.toSeconds(), MIN_RECONCILE_SECONDS, MAX_RECONCILE_SECONDS, unreadable));
        int partitions = (int) number(settings.get(TOPIC_PARTITIONS), TOPIC_PARTITIONS, DEFAULT_TOPIC_PARTITIONS, MIN_TOPIC_PARTITIONS,
                MAX_TOPIC_PARTITIONS, unreadable);
        String source = trimmed(settings.get(SOURCE));
        return new PublisherConfig(enabled, nullIfBlank(settings.get(BOOTSTRAP_SERVERS)), nullIfBlank(settings.get(TOPIC_PREFIX)), properties,
                secrets, heartbeat, reconcile, partitions, source.isEmpty() ? defaultSource(realmName) : source, unreadable);
    }

    /**
     * Whether a component's {@code enabled} value leaves the publisher on: anything but "false" does, so a value
     * that validation would refuse still records every change rather than losing some.
     */
    public static boolean isOn(String enabled) {
        return !"false".equalsIgnoreCase(trimmed(enabled));
    }

    /**
     * The events' source unless one is set, with the realm name written as a URI path segment (a realm named
     * "north wing" is keycloak://primary/realms/north%20wing).
     */
    public static String defaultSource(String realmName) {
        StringBuilder source = new StringBuilder(DEFAULT_SOURCE_PREFIX);
        for (byte b : (realmName == null ? "" : realmName).getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                source.append(c);
            } else {
                source.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
            }
        }
        return source.toString();
    }

    /** The realm's topics; only for settings without {@link #problems()}. */
    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /**
     * Everything wrong with these settings, each in words an administrator can act on; empty when valid.
     * The Kafka client properties are checked by the kafka package (ProducerSettings), which knows Kafka's configuration.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(unreadable);
        problems.addAll(BootstrapServers.problemsWith(bootstrapServers));
        String topicProblem = Topics.problemWith(topicPrefix);
        if (topicProblem != null) {
            problems.add(label(TOPIC_PREFIX) + ": " + LogSafe.escape(topicProblem, 300) + ".");
        }
        String sourceProblem = sourceProblem(source);
        if (sourceProblem != null) {
            problems.add(label(SOURCE) + " " + sourceProblem);
        }
        return problems;
    }

    /** The Kafka client settings the operator gave, secret ones included; which of them Kafka gets is ProducerSettings' business. */
    public Properties clientProperties() {
        Properties all = new Properties();
        all.putAll(kafkaProperties);
        all.putAll(kafkaSecretProperties);
        return all;
    }

    /** What is wrong with a source, as the end of a sentence naming the setting; null when the envelope schema takes it. */
    static String sourceProblem(String source) {
        String example = " such as " + DEFAULT_SOURCE_PREFIX + "acme";
        if (source.length() > MAX_SOURCE_CHARS) {
            return "must be at most " + MAX_SOURCE_CHARS + " characters (the replicas' SOURCE columns), was " + source.length()
                    + (source.startsWith(DEFAULT_SOURCE_PREFIX) ? "; with a realm name this long, set a shorter one." : ".");
        }
        if (source.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029')) {
            return "must not hold control characters or line breaks.";
        }
        try {
            new URI(source);
            return null;
        } catch (URISyntaxException e) {
            return "must be a URI reference" + example + ": '" + LogSafe.escape(source, 100) + "' is not one ("
                    + LogSafe.escape(e.getReason(), 100) + " at index " + e.getIndex() + ").";
        }
    }

    private static long number(String text, String name, long fallback, long min, long max, List<String> unreadable) {
        String value = trimmed(text);
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below, as an out-of-range number is
        }
        unreadable.add(label(name) + " must be a whole number from " + String.format(Locale.ROOT, "%,d", min) + " to "
                + String.format(Locale.ROOT, "%,d", max) + ", was '" + LogSafe.escape(value, 30) + "'.");
        return fallback;
    }

    private static Properties properties(String text, String setting, List<String> unreadable) {
        try {
            return KafkaPropertiesText.parse(text, setting);
        } catch (IllegalArgumentException e) {
            unreadable.add(e.getMessage());
            return new Properties();
        }
    }

    private static String label(String name) {
        return PublisherConfigProperties.label(name);
    }

    private static String trimmed(String value) {
        return value == null ? "" : value.trim();
    }

    private static String nullIfBlank(String value) {
        String trimmed = trimmed(value);
        return trimmed.isEmpty() ? null : trimmed;
    }

    @Override
    public String toString() {
        // Secret properties never leave this object as text; the others' values are not needed to tell settings apart.
        return "PublisherConfig[enabled=" + enabled + ", bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix
                + ", kafkaProperties=" + kafkaProperties.stringPropertyNames() + ", kafkaSecretProperties="
                + kafkaSecretProperties.stringPropertyNames() + ", heartbeatInterval=" + heartbeatInterval + ", reconcileInterval="
                + reconcileInterval + ", topicPartitions=" + topicPartitions + ", source=" + source + "]";
    }
}
