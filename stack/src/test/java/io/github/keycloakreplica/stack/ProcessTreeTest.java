package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProcessTreeTest {

    @Test
    void stopFreezesTheWholeTreeAndContLetsItGoOn() throws Exception {
        // A shell with a child, as kc.sh runs its JVM.
        Process shell = new ProcessBuilder("sh", "-c", "sleep 60 & wait").start();
        try {
            ProcessHandle child = awaitChild(shell);
            ProcessTree.signal(shell, "STOP");
            assertThat(state(shell.pid())).isEqualTo('T');
            assertThat(state(child.pid())).isEqualTo('T');
            ProcessTree.signal(shell, "CONT");
            assertThat(state(shell.pid())).isNotEqualTo('T');
            assertThat(state(child.pid())).isNotEqualTo('T');
        } finally {
            ProcessTree.kill(shell);
        }
        assertThat(shell.isAlive()).isFalse();
    }

    @Test
    void aSignalNobodyTakesFails() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertThatThrownBy(() -> ProcessTree.signal(sleep, "NO-SUCH-SIGNAL")).isInstanceOf(StackException.class);
        } finally {
            ProcessTree.kill(sleep);
        }
    }

    private static ProcessHandle awaitChild(Process process) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            var child = process.toHandle().children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the shell started no child");
    }

    /** The state letter of /proc/PID/stat: T when stopped. */
    private static char state(long pid) throws IOException, InterruptedException {
        // The kernel sets the state as it delivers the signal, which may be a moment after kill returns.
        char state = 0;
        for (int i = 0; i < 50; i++) {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            state = stat.charAt(stat.lastIndexOf(')') + 2);
            if (state == 'T') {
                return state;
            }
            Thread.sleep(20);
        }
        return state;
    }
}
