package io.github.keycloakreplica.stack;

import java.net.URI;
import java.nio.file.Path;

/**
 * One Keycloak server of the stack. {@link #stop()} or {@link #kill()} and then {@link #start()} again
 * keep the ports, the home directory and the database, so a test can crash a server and see what survived.
 */
public interface KeycloakServer extends AutoCloseable {

    String name();

    /** {@code http://127.0.0.1:<port>}, without a trailing slash; realms are under {@code /realms/<name>}. */
    URI baseUrl();

    /** The management interface: {@code /health/ready}, {@code /metrics}. */
    URI managementUrl();

    /** The master realm's bootstrap admin. */
    String adminUsername();

    String adminPassword();

    /** Starts the server and returns once {@code /health/ready} says so. Does nothing if it runs already. */
    void start();

    /** Graceful shutdown; bounded, then forced. */
    void stop();

    /** Abrupt death of the whole process tree, as a crash: SIGKILL. */
    void kill();

    boolean isRunning();

    /**
     * Freezes the whole process tree (SIGSTOP), as a long garbage-collection pause or a suspended machine would: it
     * keeps its ports, connections and database sessions and does nothing until {@link #resume()}. A stop or close
     * resumes it first.
     */
    void pause();

    /** Lets a paused server go on (SIGCONT) where it stood; its clocks have moved on meanwhile. */
    void resume();

    /** The server's console output, stdout and stderr, across restarts. */
    Path logFile();

    /** The Keycloak installation this server runs from (with {@code providers/}, {@code data/}, {@code conf/}). */
    Path home();

    /** Stops the server if it runs. */
    @Override
    void close();
}
