package io.github.keycloakreplica.publisher;

import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import java.util.List;
import java.util.Locale;

/**
 * The publisher's settings as the admin console shows them on its page: name, label, help text, type and
 * default of each. The names are {@link PublisherConfig}'s, which reads and checks the values and names them
 * by the labels here in every message.
 */
public final class PublisherConfigProperties {

    public static final List<ProviderConfigProperty> LIST = ProviderConfigurationBuilder.create()
            .property()
            .name(PublisherConfig.ENABLED)
            .label("Enabled")
            .helpText("On: every change of a person of this realm (identity and credentials) is recorded with the change itself "
                    + "and published to the topics below, and heartbeats tell the replicas this realm can publish. Off: this realm's "
                    + "changes are not published, and the replicas following it go SEVERED once the heartbeats stop; turned on "
                    + "again, the next reconcile publishes what changed meanwhile.")
            .type(ProviderConfigProperty.BOOLEAN_TYPE)
            .defaultValue("true")
            .add()
            .property()
            .name(PublisherConfig.BOOTSTRAP_SERVERS)
            .label("Bootstrap servers")
            .helpText("Kafka brokers to publish to, as host:port, comma-separated (Kafka's bootstrap.servers). While none can "
                    + "be reached, changes wait in this server's database, sign-ins and changes here go on as before, and "
                    + "everything waiting is published in order when a broker answers again.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .required(true)
            .add()
            .property()
            .name(PublisherConfig.TOPIC_PREFIX)
            .label("Topic prefix")
            .helpText("Prefix P of this realm's topics, the one the replicas are given: P.identity and P.credentials carry the "
                    + "changes, P.identity.snapshot and P.credentials.snapshot the full state, P.heartbeat the heartbeats. Letters, "
                    + "digits, '.', '_' and '-', at most 220.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .required(true)
            .add()
            .property()
            .name(PublisherConfig.HEARTBEAT_INTERVAL)
            .label("Heartbeat interval (seconds)")
            .helpText("How often the publisher tells the replicas it can publish, naming how far each topic is written. A replica "
                    + "counts the link as cut when no heartbeat came within its Severance threshold (15 seconds by default): keep "
                    + "this a few times shorter. From " + PublisherConfig.MIN_HEARTBEAT_SECONDS + " to "
                    + PublisherConfig.MAX_HEARTBEAT_SECONDS + ".")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(PublisherConfig.DEFAULT_HEARTBEAT_INTERVAL.toSeconds()))
            .add()
            .property()
            .name(PublisherConfig.RECONCILE_INTERVAL)
            .label("Reconcile interval (seconds)")
            .helpText("How often the database is compared with what was published, to publish the changes Keycloak tells no "
                    + "listener about (LDAP sync, workflows, renamed roles and groups, a password re-hashed at sign-in). Such a change "
                    + "reaches the replicas within this time; each comparison reads every person of the realm. From "
                    + PublisherConfig.MIN_RECONCILE_SECONDS + " to " + String.format(Locale.ROOT, "%,d", PublisherConfig.MAX_RECONCILE_SECONDS)
                    + " (a day).")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(PublisherConfig.DEFAULT_RECONCILE_INTERVAL.toSeconds()))
            .add()
            .property()
            .name(PublisherConfig.TOPIC_PARTITIONS)
            .label("Topic partitions")
            .helpText("Partitions of the change and snapshot topics the publisher creates when they do not exist yet. "
                    + "One person's changes always go to the same partition, in order; more partitions let a replica site's nodes "
                    + "share the work. Topics that exist are left as they are. From " + PublisherConfig.MIN_TOPIC_PARTITIONS + " to "
                    + String.format(Locale.ROOT, "%,d", PublisherConfig.MAX_TOPIC_PARTITIONS) + ".")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(PublisherConfig.DEFAULT_TOPIC_PARTITIONS))
            .add()
            .property()
            .name(PublisherConfig.SOURCE)
            .label("Source")
            .helpText("The CloudEvents source every event carries, which replicas keep with each change they apply. Empty: "
                    + PublisherConfig.DEFAULT_SOURCE_PREFIX + "<realm name>. A URI reference of at most "
                    + PublisherConfig.MAX_SOURCE_CHARS + " characters.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .add()
            .property()
            .name(PublisherConfig.KAFKA_PROPERTIES)
            .label("Kafka client properties")
            .helpText("Further Kafka producer settings, one key=value per line, exactly as Kafka documents them: "
                    + "security.protocol, ssl.truststore.location, sasl.mechanism, linger.ms, compression.type and so on. "
                    + "Passwords and JAAS settings belong in the secret properties below.")
            .type(ProviderConfigProperty.TEXT_TYPE)
            .add()
            .property()
            .name(PublisherConfig.KAFKA_SECRET_PROPERTIES)
            .label("Kafka secret properties")
            .helpText("Kafka settings that are secrets, one key=value per line: sasl.jaas.config, "
                    + "ssl.keystore.password, ssl.key.password. Stored, never shown again, never logged.")
            .type(ProviderConfigProperty.TEXT_TYPE)
            .secret(true)
            .add()
            .build();

    private PublisherConfigProperties() {
    }

    /** The label the admin console shows for a setting; its name for a setting not in the list. */
    public static String label(String name) {
        return LIST.stream().filter(p -> p.getName().equals(name)).map(ProviderConfigProperty::getLabel).findFirst().orElse(name);
    }
}
