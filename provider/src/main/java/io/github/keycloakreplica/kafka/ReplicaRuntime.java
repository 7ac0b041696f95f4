package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.ApplyTarget;
import io.github.keycloakreplica.apply.EntitlementGuard;
import io.github.keycloakreplica.apply.EntitlementResolution;
import io.github.keycloakreplica.apply.OrphanReconciliation;
import io.github.keycloakreplica.apply.ReplicaMetrics;
import io.github.keycloakreplica.apply.StreamApplier;
import io.github.keycloakreplica.config.ReplicaConfig;
import io.github.keycloakreplica.store.ReplicaStore;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.sync.RetryPolicy;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderEvent;
import org.keycloak.storage.StoreSyncEvent;
import org.keycloak.storage.UserStorageProvider;
import org.keycloak.storage.UserStorageProviderModel;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Keeps one background consumer running for every enabled {@code replica} component of every realm,
 * and none for anything else. It reconciles what runs with what the database holds: after Keycloak's
 * bootstrap, after every component or realm change (signalled after commit), and periodically, which
 * also picks up changes made through another node of the same site.
 */
public final class ReplicaRuntime {

    private static final Logger log = Logger.getLogger(ReplicaRuntime.class);

    static final long RECONCILE_PERIOD_SECONDS = 30;
    private static final long STOP_WAIT_MILLIS = 10_000;

    private final KeycloakSessionFactory sessionFactory;
    private final String providerId;
    private final StreamCodec codec;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "replica-runtime");
        thread.setDaemon(true);
        return thread;
    });
    /** Sync operations, one at a time, apart from reconciling: a full sync can take minutes. */
    private final ScheduledExecutorService operations = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "replica-operations");
        thread.setDaemon(true);
        return thread;
    });
    static final long OPERATIONS_PERIOD_MILLIS = 1_000;
    private final AtomicBoolean reconcilePending = new AtomicBoolean();
    /** While the database is away these fail on every round (every second for the operations): said once, and now and then. */
    private final RepeatedFailure reconcileFailures = new RepeatedFailure();
    private final RepeatedFailure operationFailures = new RepeatedFailure();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile boolean bootstrapped;

    private record Running(String fingerprint, StreamConsumer consumer, Thread thread, LinkWatcher watcher, Thread watcherThread,
                           OperationRunner.Component component) {

        boolean alive() {
            return thread.isAlive() && watcherThread.isAlive();
        }
    }

    private record Wanted(String realmId, String realmName, ComponentModel component, String fingerprint) {
    }

    public ReplicaRuntime(KeycloakSessionFactory sessionFactory, String providerId, StreamCodec codec) {
        this.sessionFactory = sessionFactory;
        this.providerId = providerId;
        this.codec = codec;
        KafkaClientLogging.quietUnlessConfigured().ifPresent(log::info);
    }

    public void onEvent(ProviderEvent event) {
        if (event instanceof PostMigrationEvent) {
            bootstrapped = true;
            scheduler.scheduleWithFixedDelay(this::reconcileSafely, 0, RECONCILE_PERIOD_SECONDS, TimeUnit.SECONDS);
            OperationRunner runner = new OperationRunner(sessionFactory, node(), this::runningComponents, RetryPolicy.DEFAULT);
            operations.scheduleWithFixedDelay(() -> {
                try {
                    runner.runDue();
                    operationFailures.succeeded().ifPresent(run -> log.infof("replica: looking for due sync operations again, "
                            + "after %d failed attempts", run.failures()));
                } catch (RuntimeException e) {
                    said(operationFailures, e, "could not look for due sync operations; looking again every second");
                }
            }, OPERATIONS_PERIOD_MILLIS, OPERATIONS_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        } else if (event instanceof StoreSyncEvent) {
            // Keycloak fires this after commit when a user storage component is created or removed, and
            // when a realm is imported or removed.
            requestReconcile();
        } else if (event instanceof RealmModel.RealmRemovedEvent removed) {
            // Inside the removing transaction: our rows go with the realm.
            ReplicaStore.of(removed.getKeycloakSession()).forgetRealm(removed.getRealm().getId());
        }
    }

    /** Called after commit when a component changed; never blocks the caller. */
    public void requestReconcile() {
        if (bootstrapped && reconcilePending.compareAndSet(false, true)) {
            scheduler.execute(this::reconcileSafely);
        }
    }

    public void shutdown() {
        scheduler.shutdownNow();
        operations.shutdownNow();
        running.keySet().forEach(this::stop);
    }

    private void reconcileSafely() {
        reconcilePending.set(false);
        try {
            reconcile();
            reconcileFailures.succeeded().ifPresent(run -> log.infof("replica: reconciling the running consumers with the "
                    + "configured components again, after %d failed attempts", run.failures()));
        } catch (RuntimeException e) {
            said(reconcileFailures, e, "could not reconcile the running consumers with the configured components; retrying every "
                    + RECONCILE_PERIOD_SECONDS + " s");
        }
    }

    /** The first failure of a run in full, a reminder now and then, and the rest only at DEBUG. */
    private static void said(RepeatedFailure failures, RuntimeException e, String what) {
        Instant now = Instant.now();
        failures.failed(now).ifPresentOrElse(run -> {
            if (run.first()) {
                log.warn("replica: " + what, e);
            } else {
                log.warnf("replica: %s%s: %s", what, run.sofar(now), e);
            }
        }, () -> log.debugf(e, "replica: %s", what));
    }

    private void reconcile() {
        Map<String, Wanted> wanted = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session ->
                session.realms().getRealmsWithProviderTypeStream(UserStorageProvider.class)
                        .flatMap(realm -> realm.getComponentsStream(realm.getId(), UserStorageProvider.class.getName())
                                .filter(c -> providerId.equals(c.getProviderId()))
                                .filter(c -> new UserStorageProviderModel(c).isEnabled())
                                .map(c -> new Wanted(realm.getId(), realm.getName(), c, fingerprint(realm.getName(), c))))
                        .collect(Collectors.toMap(w -> w.component().getId(), w -> w)));

        for (Map.Entry<String, Running> entry : running.entrySet()) {
            Wanted w = wanted.get(entry.getKey());
            if (w == null || !w.fingerprint().equals(entry.getValue().fingerprint()) || !entry.getValue().alive()) {
                stop(entry.getKey());
            }
        }
        wanted.values().stream().filter(w -> !running.containsKey(w.component().getId())).forEach(this::start);
    }

    private void start(Wanted wanted) {
        ComponentModel component = wanted.component();
        String name = "replica '" + component.getName() + "' of realm '" + wanted.realmName() + "'";
        ReplicaConfig config;
        try {
            config = ReplicaConfig.of(component);
        } catch (IllegalArgumentException e) {
            log.errorf("%s is not started: %s", name, e.getMessage());
            return;
        }
        List<String> problems = ConsumerSettings.problems(config);
        if (!problems.isEmpty()) {
            log.errorf("%s is not started: %s", name, String.join(" ", problems));
            return;
        }
        ReplicaMetrics metrics = ReplicaMetrics.of(wanted.realmName(), component.getName());
        ApplyTarget target = new ApplyTarget(component.getId(), wanted.realmId(), config.topics(), config.accessCriticalAttributes(), metrics);
        StreamApplier applier = new StreamApplier(target, codec);
        String clientId = "keycloak-replica-" + wanted.realmName() + "-" + component.getName();
        SnapshotReader snapshots = new SnapshotReader(name, config.topics(), codec,
                () -> withOurClassLoader(() -> new KafkaConsumer<>(ConsumerSettings.forSnapshots(config, clientId + "-snapshots"),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())));
        StreamConsumer consumer = new StreamConsumer(name, component.getId(), config.topics().deltas(), sessionFactory, applier,
                new EntitlementResolution(target),
                () -> withOurClassLoader(() -> new KafkaConsumer<>(ConsumerSettings.of(config, clientId),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())),
                snapshots, config.gapTimeout(), config.deadLetterRetention(),
                metrics);
        LinkWatcher watcher = new LinkWatcher(name, component.getId(), wanted.realmId(), config.topics().heartbeat(), codec, sessionFactory,
                () -> withOurClassLoader(() -> new KafkaConsumer<>(ConsumerSettings.forSnapshots(config, clientId + "-heartbeats"),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())),
                config.linkPolicy(), metrics,
                (record, reason) -> KeycloakModelUtils.runJobInTransaction(sessionFactory,
                        session -> applier.deadLetterSnapshot(session, record, reason)),
                new LinkLog(name, config.upstreamName(), config.bootstrapServers(), config.linkPolicy().stabilizationWindow()));
        Thread thread = thread(consumer, "replica-consumer-" + wanted.realmName() + "-" + component.getName());
        Thread watcherThread = thread(watcher, "replica-link-" + wanted.realmName() + "-" + component.getName());
        running.put(component.getId(), new Running(wanted.fingerprint(), consumer, thread, watcher, watcherThread,
                new OperationRunner.Component(name, component.getId(), snapshots, applier, new OrphanReconciliation(target))));
        thread.start();
        watcherThread.start();
        log.infof("%s: started, bootstrap servers %s, consumer group %s", name, config.bootstrapServers(), config.consumerGroup());
        if (config.streamMayGrant().everything()) {
            log.warn(EntitlementGuard.Allowance.everythingWarning(name, config.topicPrefix()));
        }
    }

    private static Thread thread(Runnable work, String name) {
        Thread thread = new Thread(work, name);
        thread.setDaemon(true);
        // Kafka loads configured classes (SASL login modules, interceptors) through the context class loader.
        thread.setContextClassLoader(ReplicaRuntime.class.getClassLoader());
        return thread;
    }

    private void stop(String componentId) {
        Running r = running.remove(componentId);
        if (r == null) {
            return;
        }
        r.consumer().stop();
        r.watcher().stop();
        for (Thread thread : List.of(r.thread(), r.watcherThread())) {
            try {
                thread.join(STOP_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warnf("replica thread %s did not stop within %d ms", thread.getName(), STOP_WAIT_MILLIS);
            }
        }
    }

    private Map<String, OperationRunner.Component> runningComponents() {
        Map<String, OperationRunner.Component> components = new HashMap<>();
        running.forEach((id, r) -> components.put(id, r.component()));
        return components;
    }

    /** How this node signs its claims on operations: process and host, as the JVM names itself. */
    private static String node() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    private static <T> T withOurClassLoader(Supplier<T> action) {
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(ReplicaRuntime.class.getClassLoader());
        try {
            return action.get();
        } finally {
            current.setContextClassLoader(previous);
        }
    }

    /** Settings read per request, not by the consumer or the link watcher. */
    static final Set<String> PER_REQUEST_SETTINGS = Set.of(ReplicaConfig.WRITE_PATH_URL, ReplicaConfig.WRITE_PATH_CLIENT_ID,
            ReplicaConfig.WRITE_PATH_CLIENT_SECRET, ReplicaConfig.WRITE_PATH_TIMEOUT);

    /**
     * Changes to any setting (secret ones included) restart the consumer; only a digest is kept in memory. The write
     * path's settings are left out: the next credential change reads them anyway, and a restart would start the link
     * over, leaving a site that was CONNECTED severed for a stabilization window because its write path was set.
     */
    static String fingerprint(String realmName, ComponentModel component) {
        Map<String, List<String>> config = new TreeMap<>(component.getConfig());
        config.keySet().removeAll(PER_REQUEST_SETTINGS);
        String text = realmName + "\n" + component.getName() + "\n" + config;
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
