package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.apply.ApplyTarget;
import io.github.keycloakreplica.apply.CredentialSanity;
import io.github.keycloakreplica.apply.EntitlementGuard;
import io.github.keycloakreplica.apply.ReplicaMetrics;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.config.FullSyncPeriod;
import io.github.keycloakreplica.config.RealmFilePlaceholders;
import io.github.keycloakreplica.config.ReplicaComponents;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.config.ReplicaConfigProperties;
import io.github.keycloakreplica.config.SettingsRefusedException;
import io.github.keycloakreplica.config.WritePathSettings;
import io.github.keycloakreplica.credential.KeycloakHttpTransport;
import io.github.keycloakreplica.credential.UpstreamCredentialWriter;
import io.github.keycloakreplica.credential.WritePathClient;
import io.github.keycloakreplica.kafka.ConsumerSettings;
import io.github.keycloakreplica.kafka.ReplicaRuntime;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.store.AfterCommit;
import io.github.keycloakreplica.store.GapRows;
import io.github.keycloakreplica.store.LinkRows;
import io.github.keycloakreplica.store.OperationRows;
import io.github.keycloakreplica.store.PositionRows;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.stream.EventSchemas;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.WritePathCodec;
import io.github.keycloakreplica.sync.IncrementalLag;
import io.github.keycloakreplica.sync.OperationKind;
import io.github.keycloakreplica.sync.Operations;
import org.jboss.logging.Logger;
import org.keycloak.Config;
import org.keycloak.component.ComponentModel;
import org.keycloak.component.ComponentValidationException;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.provider.ProviderConfigProperty;
import org.keycloak.storage.CacheableStorageProviderModel;
import org.keycloak.storage.UserStorageProviderFactory;
import org.keycloak.storage.UserStorageProviderModel;
import org.keycloak.storage.user.ImportSynchronization;
import org.keycloak.storage.user.SynchronizationResult;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code replica} user federation provider: one component per replicated upstream realm, set up
 * from the admin console's User Federation page or from realm import JSON.
 */
public final class ReplicaUserStorageProviderFactory implements UserStorageProviderFactory<ReplicaUserStorageProvider>, ImportSynchronization {

    public static final String PROVIDER_ID = ReplicaComponents.PROVIDER_ID;

    private static final Logger log = Logger.getLogger(ReplicaUserStorageProviderFactory.class);
    /** The type metadata key Keycloak sets for every {@link ImportSynchronization} factory. */
    private static final String SYNCHRONIZABLE = "synchronizable";

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
        return ReplicaConfigProperties.LIST;
    }

    /**
     * Without "synchronizable": Keycloak 26.7's console reads it only to draw its periodic sync switches
     * under a provider's own settings, with help texts about LDAP and a changed users sync that has nothing
     * to do here. The periodic full sync is among the component's settings instead, described for a
     * replica; Keycloak's scheduler and its sync buttons go by {@link ImportSynchronization}, not by this.
     */
    @Override
    public Map<String, Object> getTypeMetadata() {
        Map<String, Object> metadata = new HashMap<>(UserStorageProviderFactory.super.getTypeMetadata());
        metadata.remove(SYNCHRONIZABLE);
        return metadata;
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
                () -> new StreamApplier(new ApplyTarget(model.getId(), realmId, config.topics(), config.accessCriticalAttributes(),
                        ReplicaMetrics.of(session.realms().getRealm(realmId).getName(), model.getName())), codec),
                gate));
    }

    @Override
    public void validateConfiguration(KeycloakSession session, RealmModel realm, ComponentModel model)
            throws ComponentValidationException {
        // First, as every other check reads the settings: a realm created through admin REST or the console's
        // realm file upload brings a realm file's placeholders as written (realm-config/acme-realm.json has them).
        RealmFilePlaceholders.Outcome placeholders = RealmFilePlaceholders.settle(model.getConfig(), ReplicaConfigProperties::label);
        if (placeholders.refusal() != null) {
            throw invalid(placeholders.refusal());
        }
        if (placeholders.notice() != null) {
            log.warnf("replica component '%s' of realm '%s': %s", model.getName(), realm.getName(), placeholders.notice());
        }
        ReplicaConfig config;
        try {
            config = ReplicaConfig.of(model);
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
        List<String> problems = new ArrayList<>(ConsumerSettings.problems(config));
        try {
            CredentialSanity.costFactorSetting(model.get(CredentialSanity.SETTING));
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        FullSyncPeriod.problem(model.get(FullSyncPeriod.NAME)).ifPresent(problems::add);
        if (!problems.isEmpty()) {
            throw invalid(String.join(" ", problems));
        }
        refuseSharedConsumerGroup(session, model, config);
        if (model.get(FullSyncPeriod.NAME) != null) {
            // The console sends an emptied field as "", which Keycloak's scheduler could not read.
            model.getConfig().putSingle(FullSyncPeriod.NAME, FullSyncPeriod.normalized(model.get(FullSyncPeriod.NAME)));
        }
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

    /** A 400 with the message as written, whether the component is saved on its own or with a new realm. */
    private static SettingsRefusedException invalid(String message) {
        return new SettingsRefusedException(message);
    }

    /**
     * Several nodes of a site run the same component in one consumer group; two components in one group on
     * the same topics would each get some of the partitions. Every realm is looked at: a group is the
     * site's, not a realm's.
     */
    private static void refuseSharedConsumerGroup(KeycloakSession session, ComponentModel model, ReplicaConfig config) {
        session.realms().getRealmsStream().forEach(other -> ReplicaComponents.of(other)
                .filter(c -> !c.getId().equals(model.getId()))
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
     * one queued or running) and answers at once; a node's operation runner does the work in batches. The
     * operation records the administrator who clicked (see {@link SignedInAdministrator}).
     */
    @Override
    public SynchronizationResult sync(KeycloakSessionFactory sessionFactory, String realmId, UserStorageProviderModel model) {
        SyncRequester requester = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, SignedInAdministrator::requester);
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            Optional<String> refused = SeveredOperations.refusal(OperationKind.FULL, LinkRows.of(session).read(model.getId()).orElse(null));
            if (refused.isPresent()) {
                log.infof("replica component '%s': full sync for %s not started: %s", model.getName(),
                        LogSafe.escape(requester.requestedBy()), refused.get());
                return OperationSyncResult.refused(refused.get());
            }
            ReplicaOperationEntity last = OperationRows.of(session).lastFinished(model.getId(), OperationKind.FULL.name()).orElse(null);
            OperationRows.Started started = Operations.fullSync(session, model, requester.requestedBy(), requester.reason());
            return OperationSyncResult.started(started.operation(), started.created(), last, session.realms().getRealm(realmId).getName());
        });
    }

    /** "Sync changed users": the delta topics already bring every change as it happens; the answer is the replica's state. */
    @Override
    public SynchronizationResult syncSince(Date lastSync, KeycloakSessionFactory sessionFactory, String realmId, UserStorageProviderModel model) {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            ReplicaConfig config = ReplicaConfig.of(model);
            LinkRecord link = LinkRows.of(session).read(model.getId()).orElse(null);
            List<IncrementalLag.PartitionLag> partitions = IncrementalLag.of(link == null ? null : link.heartbeatPositions(),
                    PositionRows.of(session).read(model.getId()));
            Long behind = link == null || link.lastHeartbeatAt() == null ? null : IncrementalLag.total(partitions);
            ReplicaOperationEntity last = OperationRows.of(session).lastFinished(model.getId(), OperationKind.FULL.name()).orElse(null);
            return OperationSyncResult.continuous(link, config.linkPolicy(), behind, partitions.size(), GapRows.of(session).summary(model.getId())[0],
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
        AfterCommit.run(session, runtime::requestReconcile);
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
