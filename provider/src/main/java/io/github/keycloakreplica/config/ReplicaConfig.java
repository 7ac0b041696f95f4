package io.github.keycloakreplica.config;

import io.github.keycloakreplica.apply.EntitlementGuard;
import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.store.DeadLetterRetention;
import io.github.keycloakreplica.stream.BootstrapServers;
import io.github.keycloakreplica.stream.KafkaPropertiesText;
import io.github.keycloakreplica.stream.Topics;
import org.keycloak.component.ComponentModel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The settings of one {@code replica} federation component, read from its component config. Parsing
 * and checking live here, apart from Keycloak's SPI, so unit tests reach every rule.
 */
public record ReplicaConfig(String bootstrapServers, String topicPrefix, String consumerGroup, Properties kafkaProperties,
                            Properties kafkaSecretProperties, String upstreamName, Duration gapTimeout,
                            Set<String> accessCriticalAttributes, GapSignInPolicy gapSignInPolicy, LinkPolicy linkPolicy,
                            WritePathSettings writePath, EntitlementGuard.Allowance streamMayGrant,
                            DeadLetterRetention deadLetterRetention) {

    /** What sign-in does while an access-critical attribute of the person has an open gap. */
    public enum GapSignInPolicy {
        /** Sign in on the last known state, and say so in the subject's event log. */
        ALLOW,
        /** Refuse with a message until the gap closes. */
        REFUSE
    }

    public static final String BOOTSTRAP_SERVERS = "bootstrapServers";
    public static final String TOPIC_PREFIX = "topicPrefix";
    public static final String CONSUMER_GROUP = "consumerGroup";
    public static final String KAFKA_PROPERTIES = "kafkaProperties";
    public static final String KAFKA_SECRET_PROPERTIES = "kafkaSecretProperties";
    public static final String UPSTREAM_NAME = "upstreamName";
    public static final String GAP_TIMEOUT = "gapTimeoutSeconds";
    public static final String ACCESS_CRITICAL_ATTRIBUTES = "accessCriticalAttributes";
    public static final String GAP_SIGN_IN_POLICY = "gapSignInPolicy";
    public static final String SEVERANCE_THRESHOLD = "severanceThresholdSeconds";
    public static final String STABILIZATION_WINDOW = "stabilizationWindowSeconds";
    public static final String DRIFT_WINDOW = "driftWindowSeconds";
    public static final String WRITE_PATH_URL = "writePathUrl";
    public static final String WRITE_PATH_CLIENT_ID = "writePathClientId";
    public static final String WRITE_PATH_CLIENT_SECRET = "writePathClientSecret";
    public static final String WRITE_PATH_TIMEOUT = "writePathTimeoutSeconds";
    public static final String STREAM_MAY_GRANT = EntitlementGuard.SETTING;
    public static final String DEAD_LETTER_RETENTION_DAYS = "deadLetterRetentionDays";
    public static final String DEAD_LETTER_LIMIT = "deadLetterLimit";

    public static final Duration DEFAULT_GAP_TIMEOUT = Duration.ofSeconds(120);
    public static final String DEFAULT_ACCESS_CRITICAL_ATTRIBUTES = "enabled,realmRoles,groups";

    public static final String DEFAULT_UPSTREAM_NAME = "the upstream identity authority";

    public ReplicaConfig {
        Objects.requireNonNull(kafkaProperties, "kafkaProperties");
        Objects.requireNonNull(kafkaSecretProperties, "kafkaSecretProperties");
        accessCriticalAttributes = Set.copyOf(accessCriticalAttributes);
        Objects.requireNonNull(linkPolicy, "linkPolicy");
        streamMayGrant = streamMayGrant == null ? EntitlementGuard.Allowance.NONE : streamMayGrant;
        deadLetterRetention = deadLetterRetention == null ? DeadLetterRetention.DEFAULT : deadLetterRetention;
    }

    public static ReplicaConfig of(ComponentModel model) {
        return parse(model.get(BOOTSTRAP_SERVERS), model.get(TOPIC_PREFIX), model.get(CONSUMER_GROUP),
                model.get(KAFKA_PROPERTIES), model.get(KAFKA_SECRET_PROPERTIES), model.get(UPSTREAM_NAME),
                model.get(GAP_TIMEOUT), model.get(ACCESS_CRITICAL_ATTRIBUTES), model.get(GAP_SIGN_IN_POLICY),
                model.get(SEVERANCE_THRESHOLD), model.get(STABILIZATION_WINDOW), model.get(DRIFT_WINDOW))
                .withWritePath(WritePathSettings.parse(model.get(WRITE_PATH_URL), model.get(WRITE_PATH_CLIENT_ID),
                        model.get(WRITE_PATH_CLIENT_SECRET), model.get(WRITE_PATH_TIMEOUT)))
                .withStreamMayGrant(EntitlementGuard.Allowance.parse(model.get(STREAM_MAY_GRANT)))
                .withDeadLetterRetention(DeadLetterRetention.parse(model.get(DEAD_LETTER_RETENTION_DAYS), model.get(DEAD_LETTER_LIMIT)));
    }

    /** These settings with an authoritative write path for credential changes, or none (null). */
    public ReplicaConfig withWritePath(WritePathSettings settings) {
        return new ReplicaConfig(bootstrapServers, topicPrefix, consumerGroup, kafkaProperties, kafkaSecretProperties, upstreamName,
                gapTimeout, accessCriticalAttributes, gapSignInPolicy, linkPolicy, settings, streamMayGrant, deadLetterRetention);
    }

    /** These settings with what the stream may grant beyond the entitlement guard's rule (see {@link EntitlementGuard}). */
    public ReplicaConfig withStreamMayGrant(EntitlementGuard.Allowance allowance) {
        return new ReplicaConfig(bootstrapServers, topicPrefix, consumerGroup, kafkaProperties, kafkaSecretProperties, upstreamName,
                gapTimeout, accessCriticalAttributes, gapSignInPolicy, linkPolicy, writePath, allowance, deadLetterRetention);
    }

    /** These settings with how long and how many dead letters the component keeps. */
    public ReplicaConfig withDeadLetterRetention(DeadLetterRetention retention) {
        return new ReplicaConfig(bootstrapServers, topicPrefix, consumerGroup, kafkaProperties, kafkaSecretProperties, upstreamName,
                gapTimeout, accessCriticalAttributes, gapSignInPolicy, linkPolicy, writePath, streamMayGrant, retention);
    }

    static ReplicaConfig parse(String bootstrapServers, String topicPrefix, String consumerGroup, String kafkaProperties,
                               String kafkaSecretProperties, String upstreamName) {
        return parse(bootstrapServers, topicPrefix, consumerGroup, kafkaProperties, kafkaSecretProperties, upstreamName, null, null, null,
                null, null, null);
    }

    static ReplicaConfig parse(String bootstrapServers, String topicPrefix, String consumerGroup, String kafkaProperties,
                               String kafkaSecretProperties, String upstreamName, String gapTimeoutSeconds,
                               String accessCritical, String gapSignInPolicy, String severanceThresholdSeconds,
                               String stabilizationWindowSeconds, String driftWindowSeconds) {
        return new ReplicaConfig(trim(bootstrapServers), trim(topicPrefix), trim(consumerGroup),
                properties(kafkaProperties), properties(kafkaSecretProperties),
                upstreamName == null || upstreamName.isBlank() ? DEFAULT_UPSTREAM_NAME : upstreamName.trim(),
                seconds("Gap timeout", gapTimeoutSeconds, DEFAULT_GAP_TIMEOUT, 1),
                names(accessCritical == null ? DEFAULT_ACCESS_CRITICAL_ATTRIBUTES : accessCritical),
                policy(gapSignInPolicy),
                new LinkPolicy(seconds("Severance threshold", severanceThresholdSeconds, LinkPolicy.DEFAULT_SEVERANCE_THRESHOLD, 1),
                        seconds("Stabilization window", stabilizationWindowSeconds, LinkPolicy.DEFAULT_STABILIZATION_WINDOW, 0),
                        seconds("Drift window", driftWindowSeconds, LinkPolicy.DEFAULT_DRIFT_WINDOW, 1)), null, null, null);
    }

    private static Duration seconds(String setting, String seconds, Duration fallback, long minimum) {
        if (seconds == null || seconds.isBlank()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(seconds.trim());
            if (value < minimum) {
                throw new IllegalArgumentException(setting + " must be at least " + minimum + " second" + (minimum == 1 ? "" : "s")
                        + ", was " + value + ".");
            }
            return Duration.ofSeconds(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + " must be a whole number of seconds, was '" + seconds + "'.");
        }
    }

    private static Set<String> names(String commaSeparated) {
        Set<String> names = new LinkedHashSet<>();
        for (String name : commaSeparated.split(",")) {
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return names;
    }

    private static GapSignInPolicy policy(String value) {
        if (value == null || value.isBlank()) {
            return GapSignInPolicy.ALLOW;
        }
        try {
            return GapSignInPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Sign-in during a gap must be 'allow' or 'refuse', was '" + value + "'.");
        }
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    /**
     * Everything wrong with these settings, each in words an administrator can act on; empty when valid.
     * The Kafka client properties are checked by the kafka package, which knows Kafka's configuration.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(BootstrapServers.problemsWith(bootstrapServers));
        String topicProblem = Topics.problemWith(topicPrefix);
        if (topicProblem != null) {
            problems.add("Topic prefix: " + topicProblem + ".");
        }
        if (consumerGroup == null || consumerGroup.isEmpty()) {
            problems.add("Consumer group is required: the same on every node of this site, different from every other site.");
        }
        problems.addAll(streamMayGrant.problems());
        return problems;
    }

    /** The Kafka client settings the operator gave, secret ones included; reserved keys are checked separately. */
    public Properties clientProperties() {
        Properties all = new Properties();
        all.putAll(kafkaProperties);
        all.putAll(kafkaSecretProperties);
        return all;
    }

    /**
     * Whether a component with the other configuration would be a second member of this one's consumer
     * group on the same topics of the same brokers. Kafka would split the topics' partitions between the
     * two, and each would silently miss the people on the other's partitions.
     */
    public boolean sharesConsumerGroupWith(ReplicaConfig other) {
        return consumerGroup != null && consumerGroup.equals(other.consumerGroup) && topicPrefix != null
                && topicPrefix.equals(other.topicPrefix) && !brokers().isEmpty() && brokers().equals(other.brokers());
    }

    private Set<String> brokers() {
        return BootstrapServers.brokers(bootstrapServers);
    }

    private static Properties properties(String text) {
        return KafkaPropertiesText.parse(text, "Kafka properties");
    }

    private static String trim(String value) {
        return value == null ? null : value.trim();
    }

    @Override
    public String toString() {
        // Secret properties never leave this object as text.
        return "ReplicaConfig[bootstrapServers=" + bootstrapServers + ", topicPrefix=" + topicPrefix + ", consumerGroup="
                + consumerGroup + ", kafkaProperties=" + kafkaProperties.stringPropertyNames() + ", kafkaSecretProperties="
                + kafkaSecretProperties.stringPropertyNames() + ", upstreamName=" + upstreamName + ", gapTimeout=" + gapTimeout
                + ", accessCriticalAttributes=" + accessCriticalAttributes + ", gapSignInPolicy=" + gapSignInPolicy + ", writePath=" + writePath
                + ", streamMayGrant=" + streamMayGrant.names() + "]";
    }
}
