package io.github.keycloakreplica.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The life of one Kafka client owned by one background thread, shared by the stream consumer and the link
 * watcher: the client is made on that thread, used while the owner runs, woken from another thread to stop
 * (a Kafka consumer may only be touched by one thread; {@code wakeup} is the exception), and closed on the
 * owning thread whatever ended the work. A client that cannot be made (its brokers' names do not resolve while
 * the site is cut off, say) is tried again on the same thread, said once and then every few minutes.
 */
final class KafkaClientThread {

    /** A close waits this long for the client's own cleanup: stopping a component should not hang Keycloak. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Between attempts to make a client: as often as the runtime reconciles what runs. */
    static final long CREATE_RETRY_MILLIS = ReplicaRuntime.RECONCILE_PERIOD_SECONDS * 1_000;
    /** A wait is cut in steps this long, so a stop is seen soon. */
    private static final long WAIT_STEP_MILLIS = 250;

    private final String name;
    private final Logger log;
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> client;
    private final RepeatedFailure creation = new RepeatedFailure();
    private final long createRetryMillis;

    /** @param log the owner's logger, so the lines stay under the owner's category */
    KafkaClientThread(String name, Logger log) {
        this(name, log, CREATE_RETRY_MILLIS);
    }

    KafkaClientThread(String name, Logger log, long createRetryMillis) {
        this.name = name;
        this.log = log;
        this.createRetryMillis = createRetryMillis;
    }

    boolean running() {
        return running;
    }

    /** Asks the work to end; returns at once. The owning thread closes the client. */
    void stop() {
        running = false;
        Consumer<byte[], byte[]> c = client;
        if (c != null) {
            c.wakeup();
        }
    }

    /**
     * Makes the client and runs the work with it, then closes it. While the client cannot be made, says so with
     * {@code cannotCreate} (in full the first time) and tries again every {@link #CREATE_RETRY_MILLIS} until stopped.
     */
    void run(Supplier<Consumer<byte[], byte[]>> clientFactory, String cannotCreate, String clientName,
             Work work) {
        Consumer<byte[], byte[]> consumer = null;
        while (consumer == null) {
            try {
                consumer = clientFactory.get();
            } catch (RuntimeException e) {
                Instant now = Instant.now();
                creation.failed(now).ifPresentOrElse(run -> {
                    String line = "%s: %s (%s)%s; trying again every %d s";
                    if (run.first()) {
                        log.errorf(e, line, name, cannotCreate, e.getMessage(), "", createRetryMillis / 1000);
                    } else {
                        log.errorf(line, name, cannotCreate, e.getMessage(), run.sofar(now), createRetryMillis / 1000);
                    }
                }, () -> log.debugf("%s: %s (%s)", name, cannotCreate, e.getMessage()));
                if (!await(createRetryMillis)) {
                    return;
                }
            }
        }
        Consumer<byte[], byte[]> made = consumer;
        creation.succeeded().ifPresent(run -> log.infof("%s: made the %s after %d failed attempts", name, clientName, run.failures()));
        client = made;
        try {
            work.run(made);
        } finally {
            client = null;
            try {
                made.close(CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                log.debugf(e, "%s: error while closing the %s", name, clientName);
            }
        }
    }

    /** What the owner does with its client, on the owning thread. */
    @FunctionalInterface
    interface Work {
        void run(Consumer<byte[], byte[]> client);
    }

    /** Waits while running, in steps; whether it is still running afterwards. */
    private boolean await(long millis) {
        for (long waited = 0; running && waited < millis && !Thread.currentThread().isInterrupted(); waited += WAIT_STEP_MILLIS) {
            sleep(Math.min(WAIT_STEP_MILLIS, millis - waited));
        }
        return running && !Thread.currentThread().isInterrupted();
    }

    /** Waits between attempts; an interrupt ends the wait early and is kept for the loop to see. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
