package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.publisher.PublisherComponents;
import io.github.keycloakreplica.publisher.PublisherConfig;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.StreamCodec;
import org.jboss.logging.Logger;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.utils.KeycloakModelUtils;
import org.keycloak.models.utils.PostMigrationEvent;
import org.keycloak.provider.ProviderEvent;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one relay thread running on this node for every realm with an enabled publisher, and none for anything
 * else: after Keycloak's bootstrap, after a publisher component changes (signalled after commit), and every few
 * seconds, which also picks up changes made through another node. Every node runs a relay thread per publishing
 * realm; the realm's lease lets exactly one of them relay, and the others take over when it stops renewing.
 */
public final class PublisherRuntime {

    private static final Logger log = Logger.getLogger(PublisherRuntime.class);

    static final long RECONCILE_PERIOD_SECONDS = 10;
    private static final long STOP_WAIT_MILLIS = 10_000;

    private final KeycloakSessionFactory sessionFactory;
    private final StreamCodec codec;
    private final String node = ManagementFactory.getRuntimeMXBean().getName();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "replica-publisher-runtime");
        thread.setDaemon(true);
        return thread;
    });
    private final RepeatedFailure reconcileFailures = new RepeatedFailure();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Settings refused, by realm, so a bad setting is said once, not every round. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    private record Running(String fingerprint, PublisherRelay relay, Thread thread) {
    }

    private record Wanted(PublisherRelay.Settings settings, String fingerprint) {
    }

    public PublisherRuntime(KeycloakSessionFactory sessionFactory, StreamCodec codec) {
        this.sessionFactory = sessionFactory;
        this.codec = codec;
    }

    public void onEvent(ProviderEvent event) {
        if (event instanceof PostMigrationEvent) {
            scheduler.scheduleWithFixedDelay(this::reconcileSafely, 0, RECONCILE_PERIOD_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Looks again at what should run, soon; for after a publisher component was created, changed or removed. */
    public void requestReconcile() {
        scheduler.schedule(this::reconcileSafely, 0, TimeUnit.MILLISECONDS);
    }

    private void reconcileSafely() {
        try {
            reconcile();
            reconcileFailures.succeeded().ifPresent(run -> log.infof("publisher: looking for publishing realms again, after %d failed "
                    + "attempts", run.failures()));
        } catch (RuntimeException e) {
            reconcileFailures.failed(java.time.Instant.now()).ifPresent(run -> log.warnf("publisher: could not look for publishing "
                    + "realms (%s); trying again every %d seconds%s", LogSafe.escape(String.valueOf(e.getMessage()), 300),
                    RECONCILE_PERIOD_SECONDS, run.sofar(java.time.Instant.now())));
        }
    }

    private void reconcile() {
        Map<String, Wanted> wanted = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            Map<String, Wanted> found = new HashMap<>();
            session.realms().getRealmsStream().forEach(realm -> PublisherComponents.enabledIn(realm).ifPresent(component -> {
                PublisherConfig config = PublisherConfig.of(component, realm.getName());
                List<String> problems = new ArrayList<>(config.problems());
                problems.addAll(ProducerSettings.problems(config));
                if (!problems.isEmpty()) {
                    String said = String.join(" ", problems);
                    if (!said.equals(refused.put(realm.getId(), said))) {
                        log.errorf("publisher of realm %s does not run: %s", LogSafe.escape(realm.getName()), LogSafe.escape(said, 2_000));
                    }
                    return;
                }
                refused.remove(realm.getId());
                String clientId = "keycloak-replica-publisher-" + realm.getName();
                PublisherRelay.Settings settings = new PublisherRelay.Settings(realm.getId(), realm.getName(), config.topics(),
                        config.source(), config.heartbeatInterval(), config.reconcileInterval(), config.topicPartitions(),
                        ProducerSettings.of(config, "keycloak-replica-publisher-" + realm.getId(), clientId),
                        ProducerSettings.forAdmin(config, clientId + "-admin"), ProducerSettings.forOffsets(config, clientId + "-offsets"));
                found.put(realm.getId(), new Wanted(settings, fingerprint(component)));
            }));
            return found;
        });
        for (Map.Entry<String, Running> entry : new ArrayList<>(running.entrySet())) {
            Wanted w = wanted.get(entry.getKey());
            if (w == null || !w.fingerprint().equals(entry.getValue().fingerprint()) || !entry.getValue().thread().isAlive()) {
                stop(entry.getKey());
            }
        }
        wanted.forEach((realmId, w) -> {
            if (!running.containsKey(realmId)) {
                start(w);
            }
        });
    }

    private void start(Wanted wanted) {
        PublisherRelay relay = new PublisherRelay(sessionFactory, wanted.settings(), node, codec, Clock.systemUTC());
        Thread thread = new Thread(relay, "replica-publisher-" + wanted.settings().realmName());
        thread.setDaemon(true);
        // Kafka's clients load their classes through the context class loader: ours, not Quarkus's.
        thread.setContextClassLoader(PublisherRelay.class.getClassLoader());
        running.put(wanted.settings().realmId(), new Running(wanted.fingerprint(), relay, thread));
        thread.start();
        log.infof("publisher of realm %s: started (topics %s.*)", LogSafe.escape(wanted.settings().realmName()),
                LogSafe.escape(wanted.settings().topics().prefix()));
    }

    private void stop(String realmId) {
        Running r = running.remove(realmId);
        if (r == null) {
            return;
        }
        r.relay().stop();
        try {
            r.thread().join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void close() {
        scheduler.shutdownNow();
        new ArrayList<>(running.keySet()).forEach(this::stop);
    }

    /** What makes a relay start again: any setting (secrets included, only ever hashed into this). */
    private static String fingerprint(ComponentModel component) {
        Map<String, List<String>> config = new TreeMap<>(component.getConfig());
        return io.github.keycloakreplica.protocol.PublishedLedger.fingerprint(component.getId() + config);
    }
}
