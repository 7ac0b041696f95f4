package io.github.keycloakreplica.stack;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One JVM shutdown hook that closes every server this JVM started and has not stopped yet, so Ctrl-C or a
 * test JVM that dies mid-run never leaves broker or Keycloak processes behind. One hook rather than one per
 * server: the JVM runs hooks concurrently, and a Stack must stop its servers in order.
 */
final class Reaper {

    private static final Set<AutoCloseable> OPEN = Collections.synchronizedSet(new LinkedHashSet<>());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(Reaper::closeAll, "replica-stack-reaper"));
    }

    private Reaper() {
    }

    static void register(AutoCloseable resource) {
        OPEN.add(resource);
    }

    static void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    /** Newest first: Keycloak servers, started after the broker and the database they use, stop before them. */
    private static void closeAll() {
        List<AutoCloseable> open;
        synchronized (OPEN) {
            open = new ArrayList<>(OPEN);
        }
        Collections.reverse(open);
        for (AutoCloseable resource : open) {
            try {
                resource.close();
            } catch (Exception | Error e) {
                System.err.println("replica-stack: could not close " + resource + " at JVM exit: " + e);
            }
        }
    }
}
