package io.github.keycloakreplica.config;

import io.github.keycloakreplica.apply.CredentialSanity;
import io.github.keycloakreplica.apply.EntitlementGuard;
import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.store.DeadLetterRetention;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;

import java.util.List;

/**
 * The replica component's settings as the admin console shows them: name, label, help text, type and
 * default of each. The names are {@link ReplicaConfig}'s, which parses and checks the values, and last
 * Keycloak's own periodic full sync ({@link FullSyncPeriod}); this list only describes them, so the
 * factory stays about the component's life.
 */
public final class ReplicaConfigProperties {

    public static final List<ProviderConfigProperty> LIST = ProviderConfigurationBuilder.create()
            .property()
            .name(ReplicaConfig.BOOTSTRAP_SERVERS)
            .label("Bootstrap servers")
            .helpText("Kafka brokers to connect to, as host:port, comma-separated (Kafka's bootstrap.servers). "
                    + "The replica keeps signing people in from what it has when none of them can be reached.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .required(true)
            .add()
            .property()
            .name(ReplicaConfig.TOPIC_PREFIX)
            .label("Topic prefix")
            .helpText("Prefix P of this realm's topics: P.identity and P.credentials carry the changes, "
                    + "P.identity.snapshot and P.credentials.snapshot the full state, P.heartbeat the link's liveness.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .required(true)
            .add()
            .property()
            .name(ReplicaConfig.CONSUMER_GROUP)
            .label("Consumer group")
            .helpText("Kafka consumer group of this replica site. Every Keycloak node of the site uses the same group "
                    + "(they share the partitions); every other site needs a group of its own.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .required(true)
            .add()
            .property()
            .name(ReplicaConfig.UPSTREAM_NAME)
            .label("Upstream name")
            .helpText("What people and administrators call the authority where identities are changed, e.g. "
                    + "'the HQ Keycloak'. Shown in every message that refuses a change here.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(ReplicaConfig.DEFAULT_UPSTREAM_NAME)
            .add()
            .property()
            .name(ReplicaConfig.GAP_TIMEOUT)
            .label("Gap timeout (seconds)")
            .helpText("How long a change that arrived ahead of an earlier one waits for it. Reordered events close "
                    + "their gap in moments; a gap still open after this long is repaired from the snapshot topics.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(ReplicaConfig.DEFAULT_GAP_TIMEOUT.toSeconds()))
            .add()
            .property()
            .name(ReplicaConfig.ACCESS_CRITICAL_ATTRIBUTES)
            .label("Access-critical attributes")
            .helpText("Comma-separated attributes that decide what a person may do. While one of a person's has an "
                    + "open gap, sign-in follows the policy below.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(ReplicaConfig.DEFAULT_ACCESS_CRITICAL_ATTRIBUTES)
            .add()
            .property()
            .name(ReplicaConfig.GAP_SIGN_IN_POLICY)
            .label("Sign-in during a gap")
            .helpText("'allow': sign in on the last known state and note it in the person's event log. 'refuse': "
                    + "refuse with a message until the gap closes.")
            .type(ProviderConfigProperty.LIST_TYPE)
            .options("allow", "refuse")
            .defaultValue("allow")
            .add()
            .property()
            .name(ReplicaConfig.STREAM_MAY_GRANT)
            .label(EntitlementGuard.SETTING_LABEL)
            .helpText("The stream does not grant the realm's administrative roles: the roles of the realm-management "
                    + "client (in the master realm also those of the <realm>-realm clients, and the admin and create-realm roles), "
                    + "any role that contains one through its composites, and any group whose role mappings, or its parents', hold "
                    + "one. A grant refused is listed with the person's unresolved entitlements, with why; a person who holds such "
                    + "a role from the stream loses it at the next change of their roles. "
                    + "List here, comma-separated, those the stream may grant all the same: a realm role by name, a client role as "
                    + "clientId.role (realm-management.view-users), a group by its path (/ops/admins). " + EntitlementGuard.EVERYTHING
                    + " lets the stream grant everything, administrators included: anyone who can write to the topics can then "
                    + "make themselves an administrator of this realm.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .add()
            .property()
            .name(CredentialSanity.SETTING)
            .label("Password hashing cost ceiling")
            .helpText("A replicated password whose hash costs more than this many times Keycloak's default for its algorithm "
                    + "(pbkdf2-sha512: 210,000 iterations) is refused: every failed sign-in, which anyone can cause, pays that cost. "
                    + "From 1 to " + CredentialSanity.MAX_HASH_COST_FACTOR + ".")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(CredentialSanity.DEFAULT_MAX_HASH_COST_FACTOR))
            .add()
            .property()
            .name(ReplicaConfig.DEAD_LETTER_RETENTION_DAYS)
            .label("Dead-letter retention (days)")
            .helpText("Records that could not be applied are kept this long for people to look at (Replica > Dead letters), "
                    + "then dropped, oldest first. From " + DeadLetterRetention.MIN_DAYS + " to " + DeadLetterRetention.MAX_DAYS + ".")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(DeadLetterRetention.DEFAULT_AGE.toDays()))
            .add()
            .property()
            .name(ReplicaConfig.DEAD_LETTER_LIMIT)
            .label("Dead letters kept at most")
            .helpText("However young they are, no more dead letters than this are kept: a producer gone wrong must not fill "
                    + "this site's database. From " + DeadLetterRetention.MIN_COUNT + " to " + DeadLetterRetention.MAX_COUNT + ".")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(DeadLetterRetention.DEFAULT_COUNT))
            .add()
            .property()
            .name(ReplicaConfig.SEVERANCE_THRESHOLD)
            .label("Severance threshold (seconds)")
            .helpText("How old the upstream's newest heartbeat may get before the link counts as cut (SEVERED). An "
                    + "unreachable broker severs at once. Keep it a few heartbeat intervals long.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(LinkPolicy.DEFAULT_SEVERANCE_THRESHOLD.toSeconds()))
            .add()
            .property()
            .name(ReplicaConfig.STABILIZATION_WINDOW)
            .label("Stabilization window (seconds)")
            .helpText("A state is held at least this long before the link may change it again, and the link must stay "
                    + "healthy this long, caught up, before credential changes are allowed again. A cut is never delayed.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(LinkPolicy.DEFAULT_STABILIZATION_WINDOW.toSeconds()))
            .add()
            .property()
            .name(ReplicaConfig.DRIFT_WINDOW)
            .label("Drift window (seconds)")
            .helpText("How far behind the upstream this replica may fall while connected. Beyond it the link reports a "
                    + "drift warning (log, metric, admin API). While severed, drift grows with the severance.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(LinkPolicy.DEFAULT_DRIFT_WINDOW.toSeconds()))
            .add()
            .property()
            .name(ReplicaConfig.WRITE_PATH_URL)
            .label("Write path URL")
            .helpText("The authority's credential write path (https). While the link is CONNECTED, a password, OTP, security "
                    + "key or recovery codes set here, and a credential removed or relabelled here, are sent there; only what the "
                    + "authority confirms is stored. Empty: every credential change at this site is refused and must be made upstream.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .add()
            .property()
            .name(ReplicaConfig.WRITE_PATH_CLIENT_ID)
            .label("Write path client id")
            .helpText("The client this site authenticates as at the write path (HTTP Basic).")
            .type(ProviderConfigProperty.STRING_TYPE)
            .add()
            .property()
            .name(ReplicaConfig.WRITE_PATH_CLIENT_SECRET)
            .label("Write path client secret")
            .helpText("The client's secret. Stored, never shown again, never logged.")
            .type(ProviderConfigProperty.PASSWORD)
            .secret(true)
            .add()
            .property()
            .name(ReplicaConfig.WRITE_PATH_TIMEOUT)
            .label("Write path timeout (seconds)")
            .helpText("How long a change may wait for the authority's answer before it is refused as unconfirmed (1 to 60).")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(String.valueOf(WritePathSettings.DEFAULT_TIMEOUT.toSeconds()))
            .add()
            .property()
            .name(ReplicaConfig.KAFKA_PROPERTIES)
            .label("Kafka client properties")
            .helpText("Further Kafka consumer settings, one key=value per line, exactly as Kafka documents them: "
                    + "security.protocol, ssl.truststore.location, sasl.mechanism, max.poll.records and so on. "
                    + "Passwords and JAAS settings belong in the secret properties below.")
            .type(ProviderConfigProperty.TEXT_TYPE)
            .add()
            .property()
            .name(ReplicaConfig.KAFKA_SECRET_PROPERTIES)
            .label("Kafka secret properties")
            .helpText("Kafka settings that are secrets, one key=value per line: sasl.jaas.config, "
                    + "ssl.keystore.password, ssl.key.password. Stored, never shown again, never logged.")
            .type(ProviderConfigProperty.TEXT_TYPE)
            .secret(true)
            .add()
            // Keycloak's own setting, described here because its console's description is LDAP's: see FullSyncPeriod.
            .property()
            .name(FullSyncPeriod.NAME)
            .label("Periodic full sync (seconds)")
            .helpText("Every this many seconds Keycloak starts a full sync operation, as Action > Sync all users does: it "
                    + "re-reads the snapshot topics and brings every person up to them, skipped while the link is SEVERED. "
                    + "The delta topics keep this site current without it; a periodic full sync only repairs what they never "
                    + "brought. -1: none. Keycloak's periodic changed users sync is not offered: changes arrive continuously.")
            .type(ProviderConfigProperty.STRING_TYPE)
            .defaultValue(FullSyncPeriod.NONE)
            .add()
            .build();

    private ReplicaConfigProperties() {
    }

    /** The label the admin console shows for a setting; its name for settings that are Keycloak's (enabled, priority). */
    public static String label(String name) {
        return LIST.stream().filter(p -> p.getName().equals(name)).map(ProviderConfigProperty::getLabel).findFirst().orElse(name);
    }
}
