package io.github.keycloakreplica.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The life of one Kafka client owned by one background thread, shared by the stream consumer and the link
 * watcher: the client is made on that thread, used while the owner runs, woken from another thread to stop
 * (a Kafka consumer may only be touched by one thread; {@code wakeup} is the exception), and closed on the
 * owning thread whatever ended the work.
 */
final class KafkaClientThread {

    /** A close waits this long for the client's own cleanup: stopping a component should not hang Keycloak. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final String name;
    private final Logger log;
    private volatile boolean running = true;
    private volatile Consumer<byte[], byte[]> client;

    /** @param log the owner's logger, so the lines stay under the owner's category */
    KafkaClientThread(String name, Logger log) {
        this.name = name;
        this.log = log;
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
     * Makes the client and runs the work with it, then closes it. When the client cannot be made, says so with
     * {@code cannotCreate} and returns without running the work.
     */
    void run(Supplier<Consumer<byte[], byte[]>> clientFactory, String cannotCreate, String clientName,
             Work work) {
        Consumer<byte[], byte[]> consumer;
        try {
            consumer = clientFactory.get();
        } catch (RuntimeException e) {
            log.errorf(e, "%s: %s", name, cannotCreate);
            return;
        }
        client = consumer;
        try {
            work.run(consumer);
        } finally {
            client = null;
            try {
                consumer.close(CLOSE_TIMEOUT);
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

    /** Waits between attempts; an interrupt ends the wait early and is kept for the loop to see. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
