package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.apply.FailureText;
import io.github.keycloakreplica.publisher.Materializer;
import io.github.keycloakreplica.publisher.PublisherMetrics;
import io.github.keycloakreplica.store.AfterCommit;
import io.github.keycloakreplica.store.PublisherRelayEntity;
import io.github.keycloakreplica.store.PublisherRows;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.Heartbeat;
import io.github.keycloakreplica.stream.LogSafe;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;
import org.keycloak.models.KeycloakSessionFactory;
import org.keycloak.models.RealmModel;
import org.keycloak.models.utils.KeycloakModelUtils;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The one relay of a primary realm: on whichever node holds the realm's lease, it versions what changed
 * ({@link Materializer}) and reads the outbox's head in one database transaction per round, sends that head in order
 * with a heartbeat naming how far the delta topics hold its records in one Kafka transaction, and deletes what Kafka
 * took in the next round's transaction ({@link TakenByKafka}). Everything Kafka is made and used on this thread only,
 * so a broker that is away slows nothing but this thread; requests only ever wrote intent rows.
 *
 * <p>Two relays of a realm never both publish: the lease in the database says who may, and the fixed
 * {@code transactional.id} lets Kafka fence a former holder that wakes up after its lease ran out (its next
 * transaction fails). A record that Kafka refuses stops the relay at that record, to be tried again with a growing
 * wait: skipping it would leave a gap at every replica. After a crash between Kafka's commit and the rows' deletion
 * the same records, with the same event ids, are sent again, and replicas drop the copies.
 *
 * <p>It is somewhat over 400 lines on purpose: it is one thread's loop and everything that thread alone owns (the
 * lease and its epoch, the producer, the two back-offs, what Kafka took), which its parts read and reset together;
 * the pieces that stand alone already live apart ({@link PublisherTopics}, {@link HeartbeatPositions},
 * {@link TakenByKafka}, the materializer).
 */
final class PublisherRelay implements Runnable {

    private static final Logger log = Logger.getLogger(PublisherRelay.class);

    /** How long a lease lasts without renewal, and how early it is renewed. */
    static final Duration LEASE = Duration.ofSeconds(30);
    static final Duration RENEW_BEFORE = Duration.ofSeconds(20);
    /** How often a node without the lease looks whether it ran out. */
    static final Duration CLAIM_PERIOD = Duration.ofSeconds(2);
    /** How often an idle relay looks for new intents and outbox rows: Keycloak's own database queue polls as often. */
    static final Duration POLL = Duration.ofMillis(100);
    static final int BATCH = 500;
    /** How often an idle relay looks whether a reconcile is due. */
    static final Duration RECONCILE_LOOK = Duration.ofSeconds(5);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(10);

    /** What one realm's relay needs, all made from the realm's publisher settings by the runtime. */
    record Settings(String realmId, String realmName, Topics topics, String source, Duration heartbeatInterval,
                    Duration reconcileInterval, int partitions, Properties producer, Properties admin, Properties offsets) {

        String transactionalId() {
            return "keycloak-replica-publisher-" + realmId;
        }
    }

    private final KeycloakSessionFactory sessionFactory;
    private final Settings settings;
    private final String node;
    private final Materializer materializer;
    private final StreamCodec codec;
    private final Clock clock;
    /** The database (or anything else of a round) failing, and Kafka failing: said apart, as they end apart. */
    private final RepeatedFailure failures = new RepeatedFailure();
    private final RepeatedFailure kafkaFailures = new RepeatedFailure();
    /** Metrics: told what this thread does as it does it; the backlog is looked at every few seconds (PublisherMetrics). */
    private final PublisherMetrics metrics;
    private volatile boolean running = true;

    private boolean leading;
    private long epoch;
    private long leaseUntil;
    private KafkaProducer<String, byte[]> producer;
    private HeartbeatPositions positions;
    private long nextHeartbeat;
    private long nextReconcileLook;
    private long nextProducerAttempt;
    private Duration backoff = FIRST_BACKOFF;
    private Duration kafkaBackoff = FIRST_BACKOFF;
    /** What Kafka took since the last round's transaction, written down (its rows deleted) in the next one. */
    private TakenByKafka taken = TakenByKafka.NOTHING;

    /** What a round read in its transaction: what it versioned, and the outbox's head to send. */
    private record Read(Materializer.Round round, List<PublisherRows.Outgoing> head) {
        static final Read NOTHING = new Read(new Materializer.Round(0, 0, 0, 0, false), List.of());
    }

    PublisherRelay(KeycloakSessionFactory sessionFactory, Settings settings, String node, StreamCodec codec, Clock clock) {
        this.sessionFactory = sessionFactory;
        this.settings = settings;
        this.node = node;
        this.codec = codec;
        this.clock = clock;
        this.materializer = new Materializer(codec, clock);
        this.metrics = PublisherMetrics.of(settings.realmName());
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        try {
            while (running) {
                metrics.relaying(leading);
                metrics.observe(sessionFactory, settings.realmId());
                boolean busy;
                try {
                    busy = leading || claim() ? cycle() : false;
                    failures.succeeded().ifPresent(run -> log.infof("publisher of realm %s: relaying again after %d failed attempts",
                            LogSafe.escape(settings.realmName()), run.failures()));
                    backoff = FIRST_BACKOFF;
                } catch (ProducerFencedException | InvalidProducerEpochException e) {
                    log.warnf("publisher of realm %s: another node took over the relay (Kafka fenced this one); stepping down",
                            LogSafe.escape(settings.realmName()));
                    recordFenced();
                    metrics.fenced();
                    stepDown();
                    busy = false;
                } catch (RuntimeException e) {
                    failed(e, failures);
                    closeKafka();
                    sleep(backoff);
                    backoff = longer(backoff);
                    continue;
                }
                if (!busy) {
                    sleep(leading ? POLL : CLAIM_PERIOD);
                }
            }
        } finally {
            if (leading) {
                try {
                    TakenByKafka last = taken;
                    KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
                        PublisherRows rows = PublisherRows.of(session);
                        last.writeDown(rows, settings.realmId());
                        rows.releaseRelay(settings.realmId(), node, epoch);
                    });
                } catch (RuntimeException e) {
                    log.debugf(e, "publisher of realm %s: could not release the relay's lease; it runs out by itself",
                            LogSafe.escape(settings.realmName()));
                }
            }
            closeKafka();
            metrics.stopped();
        }
    }

    /** Takes the realm's relay when nobody holds it; true when this node now does. */
    private boolean claim() {
        long now = clock.millis();
        OptionalLong claimed = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> PublisherRows.of(session).claimRelay(settings.realmId(), node, now, now + LEASE.toMillis()));
        if (claimed.isEmpty()) {
            return false;
        }
        leading = true;
        epoch = claimed.getAsLong();
        leaseUntil = now + LEASE.toMillis();
        nextHeartbeat = 0;
        nextReconcileLook = 0;
        log.infof("publisher of realm %s: this node (%s) relays the realm's changes now (epoch %d)",
                LogSafe.escape(settings.realmName()), LogSafe.escape(node), epoch);
        return true;
    }

    /** One round as the relay; true when there is more to do at once. */
    private boolean cycle() {
        if (!renewLease()) {
            return false;
        }
        // The outbox's head is read only when Kafka may be tried this round: while the broker is away, changes go on
        // being versioned, and their rows wait.
        boolean kafkaDue = producer != null || clock.millis() >= nextProducerAttempt;
        TakenByKafka writing = taken;
        Read read = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            RealmModel realm = session.realms().getRealm(settings.realmId());
            if (realm == null) {
                return Read.NOTHING;
            }
            PublisherRows rows = PublisherRows.of(session);
            writing.writeDown(rows, settings.realmId());
            Materializer.Round drained = materializer.drainIntents(session, realm, settings.source());
            AfterCommit.run(session, () -> metrics.setAside(drained.setAside()));
            // Sent only once this transaction committed: rows it versioned cannot go out and then roll back.
            return new Read(drained, kafkaDue ? rows.outboxHead(settings.realmId(), BATCH) : List.of());
        });
        taken = TakenByKafka.NOTHING;
        Materializer.Round round = read.round();
        // Whether a reconcile is due is read from the database every few seconds, not every round of an idle relay.
        boolean reconcileBusy = (round.reconcileRequested() || clock.millis() >= nextReconcileLook) && reconcile();
        if (!reconcileBusy && clock.millis() >= nextReconcileLook) {
            nextReconcileLook = clock.millis() + RECONCILE_LOOK.toMillis();
        }
        metrics.reconcileRunning(reconcileBusy);
        boolean moreToVersion = round.intents() >= Materializer.INTENTS_PER_ROUND || reconcileBusy;
        // Kafka apart from the database: while the broker is away, changes go on being versioned into the outbox
        // every round, and Kafka is tried again with its own growing wait.
        int sent;
        try {
            if (!producerReady()) {
                return moreToVersion;
            }
            sent = publish(read.head());
            long now = clock.millis();
            if (sent == 0 && now >= nextHeartbeat) {
                sendHeartbeat();
            }
            if (sent > 0 || now >= nextHeartbeat) {
                nextHeartbeat = now + settings.heartbeatInterval().toMillis();
            }
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (RuntimeException e) {
            failed(e, kafkaFailures);
            closeKafka();
            nextProducerAttempt = clock.millis() + kafkaBackoff.toMillis();
            kafkaBackoff = longer(kafkaBackoff);
            return moreToVersion;
        }
        kafkaBackoff = FIRST_BACKOFF;
        kafkaFailures.succeeded().ifPresent(run -> log.infof("publisher of realm %s: publishing to Kafka again after %d failed attempts",
                LogSafe.escape(settings.realmName()), run.failures()));
        return sent >= BATCH || moreToVersion;
    }

    private static Duration longer(Duration wait) {
        return wait.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait.multipliedBy(2);
    }

    private boolean renewLease() {
        long now = clock.millis();
        if (leaseUntil - now > RENEW_BEFORE.toMillis()) {
            return true;
        }
        boolean renewed = KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory,
                session -> PublisherRows.of(session).renewRelay(settings.realmId(), node, epoch, now + LEASE.toMillis()));
        if (!renewed) {
            log.warnf("publisher of realm %s: the relay's lease went to another node; this one stops relaying",
                    LogSafe.escape(settings.realmName()));
            stepDown();
            return false;
        }
        leaseUntil = now + LEASE.toMillis();
        return true;
    }

    /** Starts a reconcile when one is due and takes its next step; true while one runs. */
    private boolean reconcile() {
        return KeycloakModelUtils.runJobInTransactionWithResult(sessionFactory, session -> {
            RealmModel realm = session.realms().getRealm(settings.realmId());
            if (realm == null) {
                return false;
            }
            PublisherRows rows = PublisherRows.of(session);
            PublisherRelayEntity relay = rows.lockRelay(settings.realmId());
            if (relay.getReconcileCursor() == null) {
                Long ended = relay.getReconcileEndedAt();
                if (ended != null && clock.millis() - ended < settings.reconcileInterval().toMillis()) {
                    return false;
                }
                materializer.startReconcile(rows, settings.realmId(), ended == null ? "first publication of the realm" : "periodic");
            }
            Materializer.ReconcileStep step = materializer.reconcileStep(session, realm, settings.source());
            AfterCommit.run(session, () -> {
                metrics.reconcileFound(step.changed());
                metrics.setAside(step.setAside());
            });
            if (step.done()) {
                PublisherRelayEntity done = rows.lockRelay(settings.realmId());
                log.debugf("publisher of realm %s: reconcile compared %d people, %d had changes no event told of",
                        LogSafe.escape(settings.realmName()), done.getReconcileScanned(), done.getReconcileFound());
            }
            return !step.done();
        });
    }

    private boolean producerReady() {
        if (producer != null) {
            return true;
        }
        if (clock.millis() < nextProducerAttempt) {
            return false;
        }
        PublisherTopics.createMissing(settings.admin(), settings.topics(), settings.partitions(), settings.realmName());
        Properties properties = new Properties();
        properties.putAll(settings.producer());
        KafkaProducer<String, byte[]> created = new KafkaProducer<>(properties, new StringSerializer(), new ByteArraySerializer());
        try {
            // Fences every earlier producer of this realm's transactional id: a former relay cannot publish after this.
            created.initTransactions();
        } catch (RuntimeException e) {
            created.close(Duration.ZERO);
            throw e;
        }
        producer = created;
        positions = new HeartbeatPositions(settings.offsets(), settings.topics());
        return true;
    }

    /**
     * Sends outbox rows and a heartbeat naming where they went in one Kafka transaction; returns how many. One
     * transaction rather than two: each costs the broker a commit marker per partition and a write of its transaction
     * log. The rows are deleted in the next round's database transaction ({@link TakenByKafka}).
     */
    private int publish(List<PublisherRows.Outgoing> head) {
        if (head.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>(head.size());
        producer.beginTransaction();
        try {
            for (PublisherRows.Outgoing row : head) {
                sent.add(producer.send(new ProducerRecord<>(PublisherTopics.of(settings.topics(), row.topic()), row.subject(), row.payload().getBytes(StandardCharsets.UTF_8))));
            }
            // The heartbeat names the offsets these records took, so they are written first; as it commits with them, a
            // replica never reads positions of records that were aborted.
            producer.flush();
            for (Future<RecordMetadata> future : sent) {
                positions.sent(written(future));
            }
            producer.send(heartbeatRecord());
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (RuntimeException e) {
            abortQuietly();
            throw e;
        }
        long now = clock.millis();
        taken = taken.published(head.stream().map(PublisherRows.Outgoing::seq).toList(), now);
        metrics.published(head.size());
        metrics.heartbeatSent(now);
        return head.size();
    }

    /** A heartbeat alone, when nothing was published for a heartbeat interval: replicas tell a live primary by it. */
    private void sendHeartbeat() {
        producer.beginTransaction();
        try {
            producer.send(heartbeatRecord());
            producer.commitTransaction();
        } catch (ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (RuntimeException e) {
            abortQuietly();
            throw e;
        }
        long now = clock.millis();
        taken = taken.heartbeat(now);
        metrics.heartbeatSent(now);
    }

    /** A heartbeat naming, per delta partition, the offset after the last record this realm published. */
    private ProducerRecord<String, byte[]> heartbeatRecord() {
        Heartbeat heartbeat = new Heartbeat(new Envelope(UUID.randomUUID().toString(), settings.source(), EventType.HEARTBEAT, "heartbeat",
                Instant.ofEpochMilli(clock.millis()).toString()), settings.heartbeatInterval(), positions.named());
        return new ProducerRecord<>(settings.topics().heartbeat(), "heartbeat", codec.encode(heartbeat));
    }

    /** Where a sent record went; Kafka's own failure (a fenced producer, say) as itself, so the relay tells it apart. */
    private static RecordMetadata written(Future<RecordMetadata> future) {
        try {
            return future.get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka to take a record", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException kafka) {
                throw kafka;
            }
            throw new IllegalStateException("Kafka did not take a record: " + e.getCause(), e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Kafka did not say where a record went within " + KAFKA_TIMEOUT.toSeconds() + " s", e);
        }
    }

    private void failed(RuntimeException e, RepeatedFailure repeated) {
        // A database's own message may quote a row, which is a person's data: FailureText keeps only what is safe.
        String reason = LogSafe.escape(FailureText.of(e), 500);
        repeated.failed(clock.instant()).ifPresent(run -> log.warnf("publisher of realm %s: could not relay (%s); trying again "
                + "with a growing wait, nothing is skipped%s", LogSafe.escape(settings.realmName()), reason, run.sofar(clock.instant())));
        try {
            long now = clock.millis();
            KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
                PublisherRelayEntity relay = PublisherRows.of(session).lockRelay(settings.realmId());
                relay.setLastError(reason);
                relay.setLastErrorAt(now);
            });
        } catch (RuntimeException ignored) {
            // The database is away too: the log line above is all there is to say.
        }
    }

    private void recordFenced() {
        try {
            KeycloakModelUtils.runJobInTransaction(sessionFactory, session -> {
                PublisherRelayEntity relay = PublisherRows.of(session).lockRelay(settings.realmId());
                relay.setFenced(relay.getFenced() + 1);
            });
        } catch (RuntimeException ignored) {
            // Counted when it can be; being fenced needs no database.
        }
    }

    private void stepDown() {
        leading = false;
        // The relay that took over sends these rows again; replicas drop the copies.
        taken = TakenByKafka.NOTHING;
        closeKafka();
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException ignored) {
            // The producer is closed next; an open transaction times out at the broker.
        }
    }

    private void closeKafka() {
        if (producer != null) {
            try {
                producer.close(CLOSE_TIMEOUT);
            } catch (RuntimeException ignored) {
                // Closing is best effort.
            }
            producer = null;
        }
        if (positions != null) {
            positions.close();
            positions = null;
        }
    }

    private void sleep(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        while (running && System.nanoTime() < until) {
            try {
                Thread.sleep(Math.min(250, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                running = false;
                Thread.currentThread().interrupt();
            }
        }
    }

}
