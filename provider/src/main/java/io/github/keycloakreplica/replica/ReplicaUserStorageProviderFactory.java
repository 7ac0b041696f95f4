package io.github.keycloakreplica.replica;

import io.github.keycloakreplica.kafka.ReplicaRuntime;
import io.github.keycloakreplica.store.DeadLetterRetention;
import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.OperationRows;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.stream.EventSchemas;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.WritePathCodec;
import io.github.keycloakreplica.sync.CredentialSanity;
import io.github.keycloakreplica.sync.EntitlementGuard;
import io.github.keycloakreplica.sync.IncrementalLag;
import io.github.keycloakreplica.sync.OperationKind;
import io.github.keycloakreplica.sync.Operations;
import io.github.keycloakreplica.sync.ReplicaMetrics;
import io.github.keycloakreplica.sync.StreamApplier;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.AbstractKeycloakTransaction;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.provider.ProviderConfigurationBuilder;
import org.keycloak.storage.CacheableStorageProviderModel;
import org.keycloak.storage.UserStorageProvider;
import org.keycloak.storage.UserStorageProviderFactory;
import org.keycloak.storage.UserStorageProviderModel;
import org.keycloak.storage.user.ImportSynchronization;
import org.keycloak.storage.user.SynchronizationResult;

import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * The {@code replica} user federation provider: one component per replicated upstream realm, set up
 * from the admin console's User Federation page or from realm import JSON.
 */
public final class ReplicaUserStorageProviderFactory implements UserStorageProviderFactory<ReplicaUserStorageProvider>, ImportSynchronization {

    public static final String PROVIDER_ID = "replica";

    private static final Logger log = Logger.getLogger(ReplicaUserStorageProviderFactory.class);

    private static final List<ProviderConfigProperty> CONFIG = ProviderConfigurationBuilder.create()
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
            .build();

    private ReplicaRuntime runtime;
    private StreamCodec codec;
    private WritePathCodec writePathCodec;

    @Override
    public void init(Config.Scope config) {
        // The schemas load once per server; the consumers and the write path share them.
        EventSchemas schemas = new EventSchemas();
        codec = new StreamCodec(schemas);
        writePathCodec = new WritePathCodec(codec, schemas);
    }

    @Override
    public String getId() {
        return PROVIDER_ID;
    }

    @Override
    public String getHelpText() {
        return "Replica of an upstream identity authority, fed by Kafka: users, roles, groups and credentials "
                + "are imported read-only and keep signing in when the upstream is out of reach.";
    }

    @Override
    public List<ProviderConfigProperty> getConfigProperties() {
        return CONFIG;
    }

    @Override
    public ReplicaUserStorageProvider create(KeycloakSession session, ComponentModel model) {
        ReplicaConfig config = ReplicaConfig.of(model);
        WritePathSettings writePath = config.writePath();
        if (writePath == null) {
            return new ReplicaUserStorageProvider(session, model, config, null);
        }
        String realmId = model.getParentId();
        return new ReplicaUserStorageProvider(session, model, config, gate -> new UpstreamCredentialWriter(session, model.getId(),
                config.consumerGroup(), config.upstreamName(),
                new WritePathClient(writePath, writePathCodec, new KeycloakHttpTransport(session), config.upstreamName()),
                () -> new StreamApplier(model.getId(), realmId, config.topics(), codec, config.accessCriticalAttributes(),
                        ReplicaMetrics.of(session.realms().getRealm(realmId).getName(), model.getName())),
                gate));
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        ReplicaConfig config;
        try {
            config = ReplicaConfig.of(model);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        List<String> problems = new java.util.ArrayList<>(config.problems());
        try {
            CredentialSanity.costFactorSetting(model.get(CredentialSanity.SETTING));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw invalid(String.join(" ", problems));
        }
        refuseSharedConsumerGroup(session, model, config);
        // Validation can only refuse; a setting that is allowed but dangerous is said in the log, here and at every start.
        if (config.streamMayGrant().everything()) {
            log.warn(EntitlementGuard.Allowance.everythingWarning("replica component '" + model.getName() + "' of realm '"
                    + realm.getName() + "'", config.topicPrefix()));
        }
        // The credential gate needs it: Keycloak's user cache writes a cached user's credentials straight to
        // the local store, and hands out the user view (whose credential manager asks the gate) only for
        // components that do not cache. Set on every save, so a realm import or an edit cannot turn it off.
        String policy = model.get(CacheableStorageProviderModel.CACHE_POLICY);
        if (!CacheableStorageProviderModel.CachePolicy.NO_CACHE.name().equals(policy)) {
            if (policy != null) {
                log.infof("replica component %s: cache policy %s replaced by NO_CACHE, which the credential gate needs",
                        model.getName(), policy);
            }
            model.getConfig().putSingle(CacheableStorageProviderModel.CACHE_POLICY, CacheableStorageProviderModel.CachePolicy.NO_CACHE.name());
        }
    }

    /**
     * Keycloak's admin REST API reads a validation message as a {@link java.text.MessageFormat} pattern (to
     * localize it), which drops single quotes and fails on braces; quoted, the text arrives as written.
     */
    private static ComponentValidationException invalid(String message) {
        return new ComponentValidationException("'" + message.replace("'", "''") + "'");
    }

    /**
     * Several nodes of a site run the same component in one consumer group; two components in one group on
     * the same topics would each get some of the partitions. Every realm is looked at: a group is the
     * site's, not a realm's.
     */
    private static void refuseSharedConsumerGroup(KeycloakSession session, ComponentModel model, ReplicaConfig config) {
        session.realms().getRealmsStream().forEach(other -> other.getComponentsStream(other.getId(), UserStorageProvider.class.getName())
                .filter(c -> PROVIDER_ID.equals(c.getProviderId()) && !c.getId().equals(model.getId()))
                .forEach(c -> {
                    ReplicaConfig theirs;
                    try {
                        theirs = ReplicaConfig.of(c);
                    } catch (IllegalArgumentException e) {
                        return;
                    }
                    if (config.sharesConsumerGroupWith(theirs)) {
                        throw invalid("Consumer group '" + config.consumerGroup() + "' already follows topics '"
                                + config.topicPrefix() + ".*' on these brokers for replica component '" + c.getName() + "' of realm '"
                                + other.getName() + "': two components in one group split the topics' partitions between them, and "
                                + "each would miss the people on the other's. Give this component a consumer group of its own.");
                    }
                }));
    }

    /**
     * Keycloak's "Sync all users" button and periodic full sync: starts a full sync operation (or joins the
     * one queued or running) and answers at once; a node's operation runner does the work in batches.
     */
    @Override
    public SynchronizationResult sync(KeycloakSessionFactory sessionFactory, String realmId, UserStorageProviderModel model) {
        KeycloakSession current = org.keycloak.utils.KeycloakSessionUtil.getKeycloakSession();
        String requestedBy = current != null && current.getContext().getHttpRequest() != null
                ? "Keycloak \"Sync all users\"" : "Keycloak periodic full sync";
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            Optional<String> refused = SeveredOperations.refusal(OperationKind.FULL, LinkRows.of(session).read(model.getId()).orElse(null));
            if (refused.isPresent()) {
                log.infof("replica component '%s': %s not started: %s", model.getName(), requestedBy, refused.get());
                return OperationSyncResult.refused(refused.get());
            }
            ReplicaOperationEntity last = OperationRows.of(session).lastFinished(model.getId(), OperationKind.FULL.name()).orElse(null);
            OperationRows.Started started = Operations.fullSync(session, model, requestedBy, null);
            return OperationSyncResult.started(started.operation(), started.created(), last, session.realms().getRealm(realmId).getName());
        });
    }

    /** "Sync changed users": the delta topics already bring every change as it happens; the answer is the replica's state. */
    @Override
    public SynchronizationResult syncSince(Date lastSync, KeycloakSessionFactory sessionFactory, String realmId, UserStorageProviderModel model) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            ReplicaConfig config = ReplicaConfig.of(model);
            LinkRecord link = LinkRows.of(session).read(model.getId()).orElse(null);
            ReplicaStore store = ReplicaStore.of(session);
            List<IncrementalLag.PartitionLag> partitions = IncrementalLag.of(link == null ? null : link.heartbeatPositions(),
                    store.positions(model.getId()));
            Long behind = link == null || link.lastHeartbeatAt() == null ? null : IncrementalLag.total(partitions);
            ReplicaOperationEntity last = OperationRows.of(session).lastFinished(model.getId(), OperationKind.FULL.name()).orElse(null);
            return OperationSyncResult.continuous(link, config.linkPolicy(), behind, partitions.size(), store.gapSummary(model.getId())[0],
                    last, config.writePath() != null, session.realms().getRealm(realmId).getName(), System.currentTimeMillis());
        });
    }

    @Override
    public void postInit(KeycloakSessionFactory factory) {
        runtime = new ReplicaRuntime(factory, PROVIDER_ID, codec);
        factory.register(runtime::onEvent);
    }

    /** Keycloak signals creation and removal itself (after commit); an edited component restarts after commit too. */
    @Override
    public void onUpdate(KeycloakSession session, RealmModel realm, ComponentModel oldModel, ComponentModel newModel) {
        session.getTransactionManager().enlistAfterCompletion(new AbstractKeycloakTransaction() {
            @Override
            protected void commitImpl() {
                runtime.requestReconcile();
            }

            @Override
            protected void rollbackImpl() {
            }
        });
    }

    /** Keycloak removes the imported users with the component; the replica's own rows go in the same transaction. */
    @Override
    public void preRemove(KeycloakSession session, RealmModel realm, ComponentModel model) {
        ReplicaStore.of(session).forgetComponent(model.getId());
    }

    @Override
    public void close() {
        if (runtime != null) {
            runtime.shutdown();
        }
    }
}
