package io.github.keycloakreplica.stack;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The OS process behind one server handle, and the handle's place in the {@link Reaper}: what the
 * process backends of the broker and of Keycloak share about stopping, killing and being alive.
 */
final class ServerProcess {

    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final AutoCloseable owner;
    private final AtomicReference<Process> process = new AtomicReference<>();
    private volatile boolean paused;

    ServerProcess(AutoCloseable owner) {
        this.owner = owner;
    }

    /** Call before launching, so that a JVM exit during the launch still stops what was launched. */
    void launching() {
        Reaper.register(owner);
    }

    void launched(Process launched) {
        process.set(launched);
    }

    void stop() {
        Process running = process.getAndSet(null);
        if (running != null) {
            if (paused) {
                // A frozen process would only take SIGTERM once thawed.
                ProcessTree.signal(running, "CONT");
                paused = false;
            }
            ProcessTree.stop(running, STOP_GRACE);
        }
        Reaper.unregister(owner);
    }

    void kill() {
        Process running = process.getAndSet(null);
        if (running != null) {
            ProcessTree.kill(running);
        }
        paused = false;
        Reaper.unregister(owner);
    }

    /** SIGSTOP to the whole tree: alive, holding what it held, doing nothing until {@link #resume()}. */
    void pause() {
        Process running = process.get();
        if (running == null || !running.isAlive()) {
            throw new StackException("Nothing running to pause");
        }
        ProcessTree.signal(running, "STOP");
        paused = true;
    }

    /** SIGCONT to the whole tree. */
    void resume() {
        Process running = process.get();
        if (running != null && paused) {
            ProcessTree.signal(running, "CONT");
        }
        paused = false;
    }

    boolean isRunning() {
        Process running = process.get();
        return running != null && running.isAlive();
    }
}
