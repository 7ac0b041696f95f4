package io.github.keycloakreplica.kafka;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChunkWorkersTest {

    @Test
    void everyChunkHandedOverHasRunWhenAwaitAllReturnsOnAsManyThreadsAsAsked() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        try (ChunkWorkers workers = new ChunkWorkers("test", 2)) {
            for (int i = 0; i < 50; i++) {
                workers.submit(() -> {
                    threads.add(Thread.currentThread().getName());
                    sleep(2);
                    done.incrementAndGet();
                });
            }
            workers.awaitAll();
            assertThat(done).hasValue(50);
        }
        assertThat(threads).isSubsetOf("test-1", "test-2");
    }

    @Test
    void theReaderWaitsWhileTwiceAsManyChunksAsThreadsAreHeld() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger handedOver = new AtomicInteger();
        try (ChunkWorkers workers = new ChunkWorkers("test", 2)) {
            Thread reader = new Thread(() -> {
                for (int i = 0; i < 10; i++) {
                    workers.submit(() -> await(release));
                    handedOver.incrementAndGet();
                }
            });
            reader.start();
            Thread.sleep(300);
            assertThat(handedOver).as("two running, two waiting for a thread, the fifth chunk waits for room").hasValue(4);
            release.countDown();
            reader.join(5_000);
            assertThat(handedOver).hasValue(10);
            workers.awaitAll();
        }
    }

    @Test
    void theFirstFailureStopsTheIntakeAndReachesTheCallerAfterTheChunksInProgressEnded() throws Exception {
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch failed = new CountDownLatch(1);
        ChunkWorkers workers = new ChunkWorkers("test", 2);
        workers.submit(() -> {
            sleep(200);
            finished.incrementAndGet();
        });
        workers.submit(() -> {
            failed.countDown();
            throw new IllegalStateException("username 'alice' is already held");
        });
        assertThat(failed.await(5, TimeUnit.SECONDS)).isTrue();
        sleep(50);
        assertThatThrownBy(() -> workers.submit(finished::incrementAndGet)).hasMessage("username 'alice' is already held");
        workers.close();
        assertThat(finished).as("the chunk in progress ended, the refused one never ran").hasValue(1);
        assertThatThrownBy(workers::awaitAll).hasMessage("username 'alice' is already held");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
