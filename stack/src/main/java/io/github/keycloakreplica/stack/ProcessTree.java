package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Stops an OS process together with everything it started. Keycloak runs as {@code kc.sh} with the JVM as its
 * background child: killing only the script would orphan the JVM, still holding the ports and the database.
 */
final class ProcessTree {

    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private ProcessTree() {
    }

    /**
     * SIGTERM to the root (kc.sh forwards it to its JVM and waits for it), then SIGKILL to whatever of the tree
     * is still alive after {@code grace}. Returns whether the graceful stop was enough.
     */
    static boolean stop(Process process, Duration grace) {
        List<ProcessHandle> tree = snapshot(process.toHandle());
        process.destroy();
        boolean graceful = await(process.toHandle(), grace);
        // The tree is taken before the stop: once the root is gone, its orphans are no longer its descendants.
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessTree::killAndAwait);
        return graceful;
    }

    /** SIGKILL to the whole tree at once, as a crash would do it; returns when all of it is gone. */
    static void kill(Process process) {
        List<ProcessHandle> tree = snapshot(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        tree.forEach(ProcessTree::killAndAwait);
    }

    /**
     * Sends a signal by name ({@code STOP}, {@code CONT}) to every process of the tree, through {@code kill}: Java can
     * send only TERM and KILL. SIGSTOP freezes the tree as a long pause of its machine would, sockets and database
     * sessions left open; SIGCONT lets it go on where it stood.
     */
    static void signal(Process process, String signal) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        snapshot(process.toHandle()).forEach(handle -> command.add(Long.toString(handle.pid())));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.waitFor() != 0) {
                throw new StackException("Could not send SIG" + signal + " to " + command.subList(2, command.size()) + ": " + said);
            }
        } catch (IOException e) {
            throw new StackException("Could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while sending SIG" + signal);
        }
    }

    private static List<ProcessHandle> snapshot(ProcessHandle root) {
        List<ProcessHandle> tree = new ArrayList<>(root.descendants().collect(Collectors.toList()));
        tree.add(root);
        return tree;
    }

    private static void killAndAwait(ProcessHandle handle) {
        handle.destroyForcibly();
        if (!await(handle, KILL_WAIT)) {
            throw new StackException("Process " + handle.pid() + " survived SIGKILL for " + KILL_WAIT);
        }
    }

    private static boolean await(ProcessHandle handle, Duration timeout) {
        try {
            handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !handle.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !handle.isAlive();
        }
    }
}
