package io.github.keycloakreplica.kafka;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.config.ConfigException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

class KafkaClientThreadTest {

    private static final Logger LOG = Logger.getLogger(KafkaClientThreadTest.class);

    @Test
    void aClientThatCannotBeMadeYetIsTriedAgainOnTheSameThreadAndTheWorkRunsOnceItIs() {
        KafkaClientThread thread = new KafkaClientThread("replica 'hq' of realm 'acme'", LOG, 20);
        AtomicInteger attempts = new AtomicInteger();
        MockConsumer<byte[], byte[]> made = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        Supplier<Consumer<byte[], byte[]>> factory = () -> {
            if (attempts.incrementAndGet() <= 3) {
                // What Kafka says when no broker name resolves, as while a site's DNS is cut off too.
                throw new ConfigException("No resolvable bootstrap urls given in bootstrap.servers");
            }
            return made;
        };
        AtomicBoolean ran = new AtomicBoolean();

        thread.run(factory, "cannot create the Kafka consumer", "Kafka consumer", client -> ran.set(client == made));

        assertThat(attempts).hasValue(4);
        assertThat(ran).isTrue();
        assertThat(made.closed()).isTrue();
    }

    @Test
    void aStopEndsTheWaitForAClientWithoutRunningTheWork() throws Exception {
        KafkaClientThread thread = new KafkaClientThread("replica 'hq' of realm 'acme'", LOG, 60_000);
        AtomicBoolean ran = new AtomicBoolean();
        CompletableFuture<Void> running = CompletableFuture.runAsync(() -> thread.run(() -> {
            throw new ConfigException("No resolvable bootstrap urls given in bootstrap.servers");
        }, "cannot create the Kafka consumer", "Kafka consumer", client -> ran.set(true)));
        Thread.sleep(100);

        thread.stop();

        running.get(2, TimeUnit.SECONDS);
        assertThat(ran).isFalse();
    }
}
