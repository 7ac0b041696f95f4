package io.github.keycloakreplica.kafka;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applies chunks on a few threads of their own while the caller reads the next ones. A chunk's
 * transaction spends much of its time waiting for the database, and one thread doing everything in
 * turn leaves the machine's cores idle; chunks are independent (a subject is in one chunk), each commits
 * on its own. At most twice as many chunks as threads are held at once, so memory stays bounded however
 * fast the reading is. The first failure stops the intake and is thrown to the caller.
 */
final class ChunkWorkers implements AutoCloseable {

    private final int threads;
    private final ExecutorService pool;
    private final Semaphore slots;
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    ChunkWorkers(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        this.threads = threads;
        this.slots = new Semaphore(threads * 2);
        AtomicInteger numbers = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, name + "-" + numbers.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Hands a chunk over, waiting while the threads are full; throws the first failure of an earlier chunk. */
    void submit(Runnable chunk) {
        throwIfFailed();
        acquire(1);
        if (failure.get() != null) {
            slots.release();
            throwIfFailed();
        }
        pool.execute(() -> {
            try {
                chunk.run();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } catch (Error e) {
                failure.compareAndSet(null, new IllegalStateException(e.toString(), e));
                throw e;
            } finally {
                slots.release();
            }
        });
    }

    /** Waits until every chunk handed over has ended; throws the first failure. */
    void awaitAll() {
        acquire(threads * 2);
        slots.release(threads * 2);
        throwIfFailed();
    }

    /** Waits for the chunks in progress to end (their transactions commit or roll back), then stops the threads. */
    @Override
    public void close() {
        slots.acquireUninterruptibly(threads * 2);
        slots.release(threads * 2);
        pool.shutdown();
    }

    private void acquire(int permits) {
        try {
            slots.acquire(permits);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for chunks to be applied", e);
        }
    }

    private void throwIfFailed() {
        RuntimeException e = failure.get();
        if (e != null) {
            throw e;
        }
    }
}
