package io.github.keycloakreplica.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * Requests at a fixed rate for a fixed time, whatever the server's answers take (an open loop): request i is
 * started at {@code start + i / rate} on a pool of worker threads, so a slow answer does not delay the next
 * request and hide its own slowness from the figures. Each task gets its planned start time; a task that starts
 * more than {@link #LATE_NANOS} after it is counted, since its latency would then miss the time it queued.
 */
final class SteadyLoad {

    static final long LATE_NANOS = 50_000_000L;

    private final String what;
    private final double perSecond;
    private final long durationNanos;
    private final ExecutorService workers;
    private final AtomicInteger late = new AtomicInteger();
    private Thread pacer;
    private int issued;

    SteadyLoad(String what, double perSecond, long durationNanos, ExecutorService workers) {
        this.what = what;
        this.perSecond = perSecond;
        this.durationNanos = durationNanos;
        this.workers = workers;
    }

    /** A pool big enough that a request is never queued behind others at the rates used here. */
    static ExecutorService workers(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts issuing {@code task(plannedStartNanos)} in the background; {@link #await()} waits for the pacing to end. */
    SteadyLoad start(LongConsumer task) {
        long period = (long) (1_000_000_000L / perSecond);
        long start = System.nanoTime();
        pacer = new Thread(() -> {
            for (int i = 0; ; i++) {
                long planned = start + i * period;
                if (planned - start >= durationNanos) {
                    issued = i;
                    return;
                }
                long wait = planned - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        issued = i;
                        return;
                    }
                }
                workers.execute(() -> {
                    if (System.nanoTime() - planned > LATE_NANOS) {
                        late.incrementAndGet();
                    }
                    task.accept(planned);
                });
            }
        }, "pacer-" + what);
        pacer.setDaemon(true);
        pacer.start();
        return this;
    }

    /** Waits until every request was handed to a worker (not until the workers are done). */
    SteadyLoad await() throws InterruptedException {
        pacer.join();
        return this;
    }

    int issued() {
        return issued;
    }

    int late() {
        return late.get();
    }
}
