package io.github.keycloakreplica.stack;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded readiness polling of a server process, with the log tail in every failure. */
final class Await {

    static final int LOG_LINES = 60;
    private static final long POLL_MILLIS = 200;

    @FunctionalInterface
    interface Probe {
        /** True once ready; false or an exception while not ready yet. */
        boolean ready() throws Exception;
    }

    private Await() {
    }

    /**
     * Polls {@code probe} until it reports ready. Fails at once if the process exits, and after
     * {@code timeout} with the last probe error: both with the tail of {@code log}.
     */
    static void ready(String what, Process process, Path log, Duration timeout, Probe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (true) {
            if (!process.isAlive()) {
                throw new StackException(what + " exited with code " + process.exitValue()
                        + " before it was ready. Last lines of " + log + ":\n" + LogTail.tail(log, LOG_LINES));
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("Interrupted while waiting for " + what, e);
            } catch (Exception e) {
                last = e;
            }
            if (System.nanoTime() > deadline) {
                throw new StackException(what + " was not ready within " + timeout.toSeconds() + " s"
                        + (last == null ? "" : " (last check: " + last + ")") + ". Last lines of " + log + ":\n"
                        + LogTail.tail(log, LOG_LINES));
            }
            pause(process);
        }
    }

    /** Waits between polls on the process's exit, so a crash is noticed at once rather than after the pause. */
    private static void pause(Process process) {
        try {
            process.onExit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Still running: poll again.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while waiting for a server to start", e);
        }
    }
}
