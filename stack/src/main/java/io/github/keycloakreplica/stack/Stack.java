package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A Kafka broker and N Keycloak servers (optionally on a local PostgreSQL), started broker first and closed
 * together. Every server process is also stopped by a JVM shutdown hook if the JVM ends before
 * {@link #close()}, so an interrupted run leaves nothing behind.
 *
 * <p>Each Keycloak gets the broker's address as {@value #KAFKA_BOOTSTRAP_ENV}, which the realm files use as
 * a placeholder; a spec that needs the broker otherwise can be given as a function of it.
 *
 * <pre>{@code
 * try (Stack stack = Stack.builder()
 *         .keycloak(KeycloakServerSpec.builder("primary").build())
 *         .keycloak(KeycloakServerSpec.builder("replica")
 *                 .realmImport(StackArtifacts.load().realmFile("acme-realm.json"))
 *                 .env("REPLICA_CONSUMER_GROUP", "site-1")
 *                 .build())
 *         .start()) {
 *     stack.broker().createTopics(Map.of("acme.identity", 3));
 *     URI replica = stack.keycloak("replica").baseUrl();
 * }
 * }</pre>
 */
public final class Stack implements AutoCloseable {

    /** The directory under which each run gets its own subdirectory; default {@code target/stack}. */
    public static final String WORK_DIR_PROPERTY = "replica.stack.work.dir";
    /** Set on every Keycloak of a stack (unless its spec sets it) for realm files to use as a placeholder. */
    public static final String KAFKA_BOOTSTRAP_ENV = "REPLICA_KAFKA_BOOTSTRAP_SERVERS";

    private static final DateTimeFormatter RUN_NAME = DateTimeFormatter.ofPattern("'run-'yyyyMMdd-HHmmss");

    private final Path workDir;
    private final KafkaBroker broker;
    private final LocalPostgres postgres;
    private final List<Function<KafkaBroker, KeycloakServerSpec>> specs;
    private final Map<String, KeycloakServer> keycloaks = new LinkedHashMap<>();

    private Stack(Builder b) {
        this.workDir = b.workDir != null ? b.workDir : newRunDir();
        this.broker = new ProcessKafkaBroker(workDir.resolve("kafka"));
        this.postgres = b.postgres ? new LocalPostgres(workDir.resolve("postgres")) : null;
        this.specs = List.copyOf(b.specs);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A new, empty directory for one run under {@code -Dreplica.stack.work.dir} (default {@code target/stack}). */
    public static Path newRunDir() {
        Path base = Path.of(System.getProperty(WORK_DIR_PROPERTY, "target/stack")).toAbsolutePath();
        String name = LocalDateTime.now().format(RUN_NAME) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        try {
            return Files.createDirectories(base.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the stack work directory under " + base, e);
        }
    }

    public Path workDir() {
        return workDir;
    }

    public KafkaBroker broker() {
        return broker;
    }

    /** The server with this name; fails for an unknown name so a typo does not read as a null. */
    public KeycloakServer keycloak(String name) {
        KeycloakServer server = keycloaks.get(name);
        if (server == null) {
            throw new IllegalArgumentException("No Keycloak '" + name + "' in this stack; there are " + keycloaks.keySet());
        }
        return server;
    }

    /**
     * Starts another node of the site a server of this stack belongs to: the same settings, environment and
     * database (so the same realms and replica components, and the same consumer group), its own ports and
     * directory. Returns once it is ready; it stops with the stack.
     */
    public KeycloakServer startNode(String of, String name) {
        KeycloakServer existing = keycloak(of);
        if (!(existing instanceof ProcessKeycloakServer process)) {
            throw new IllegalArgumentException("Keycloak '" + of + "' was not started by this stack");
        }
        ProcessKeycloakServer node = new ProcessKeycloakServer(process.spec().toBuilder(name).build(), workDir);
        if (keycloaks.putIfAbsent(name, node) != null) {
            throw new IllegalArgumentException("Two Keycloak servers named '" + name + "'");
        }
        node.start();
        return node;
    }

    /**
     * Starts one more server on this stack's broker, a site of its own: its own directory, ports and database
     * (the broker's address and, on a PostgreSQL stack, a new database, as {@link Builder#keycloak} servers get
     * them). Returns once it is ready; it stops with the stack, or earlier by its own {@link KeycloakServer#stop()}.
     */
    public KeycloakServer startKeycloak(KeycloakServerSpec spec) {
        ProcessKeycloakServer server = new ProcessKeycloakServer(completed(spec), workDir);
        if (keycloaks.putIfAbsent(spec.name(), server) != null) {
            throw new IllegalArgumentException("Two Keycloak servers named '" + spec.name() + "'");
        }
        server.start();
        return server;
    }

    public Collection<KeycloakServer> keycloaks() {
        return Collections.unmodifiableCollection(keycloaks.values());
    }

    /** The local PostgreSQL, if the stack was built with {@link Builder#postgres()}. */
    public LocalPostgres postgres() {
        if (postgres == null) {
            throw new IllegalStateException("This stack runs Keycloak on H2; build it with postgres() for PostgreSQL");
        }
        return postgres;
    }

    /**
     * The last lines of the broker's log and of every Keycloak server's, each under its name and path: what a failed
     * test prints, since a change that did not arrive may have stopped at either end.
     */
    public String logTails(int lines) {
        StringBuilder out = new StringBuilder();
        out.append("---- kafka: ").append(broker.logFile()).append('\n').append(LogTail.tail(broker.logFile(), lines)).append('\n');
        for (KeycloakServer server : keycloaks.values()) {
            out.append("---- keycloak ").append(server.name()).append(": ").append(server.logFile()).append('\n')
                    .append(LogTail.tail(server.logFile(), lines)).append('\n');
        }
        return out.toString();
    }

    /** Stops the Keycloak servers, then the broker and the database; waits for all of them. */
    @Override
    public void close() {
        RuntimeException failure = null;
        List<AutoCloseable> order = new ArrayList<>(keycloaks.values());
        order.add(broker);
        if (postgres != null) {
            order.add(postgres);
        }
        for (AutoCloseable resource : order) {
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new StackException("Could not stop all of the stack in " + workDir);
                }
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Stack " + workDir + " (" + broker + ", " + keycloaks.values() + ")";
    }

    private Stack start() {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        try {
            broker.start();
            if (postgres != null) {
                postgres.start();
            }
            for (Function<KafkaBroker, KeycloakServerSpec> specFor : specs) {
                KeycloakServerSpec spec = completed(specFor.apply(broker));
                if (keycloaks.putIfAbsent(spec.name(), new ProcessKeycloakServer(spec, workDir)) != null) {
                    throw new IllegalArgumentException("Two Keycloak servers named '" + spec.name() + "'");
                }
            }
            // Side by side: measured on 2 cores, two first starts take 73 s together, 88 s one after the other.
            for (KeycloakServer server : keycloaks.values()) {
                starts.add(CompletableFuture.runAsync(server::start,
                        task -> new Thread(task, "start-keycloak-" + server.name()).start()));
            }
            // The first failure ends the wait: the others would otherwise run on to their own timeouts.
            CompletableFuture<Object> firstFailure = new CompletableFuture<>();
            starts.forEach(start -> start.whenComplete((ok, failure) -> {
                if (failure != null) {
                    firstFailure.completeExceptionally(failure);
                }
            }));
            CompletableFuture.anyOf(CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0])), firstFailure).join();
            return this;
        } catch (RuntimeException e) {
            RuntimeException cause = e instanceof CompletionException && e.getCause() instanceof RuntimeException
                    ? (RuntimeException) e.getCause() : e;
            try {
                // Stopping the servers makes their pending starts fail at once; a server still being installed
                // launches only after that, so close again once every start has returned.
                close();
                starts.forEach(start -> start.handle((ok, failure) -> null).join());
                close();
            } catch (RuntimeException closing) {
                cause.addSuppressed(closing);
            }
            throw cause;
        }
    }

    /** The spec with the broker's address, and on a PostgreSQL stack a database of its own, unless it names its own. */
    private KeycloakServerSpec completed(KeycloakServerSpec spec) {
        if (!spec.env().containsKey(KAFKA_BOOTSTRAP_ENV)) {
            spec = spec.withEnv(KAFKA_BOOTSTRAP_ENV, broker.bootstrapServers());
        }
        if (postgres != null && "dev-file".equals(spec.database().vendor())) {
            spec = spec.toBuilder().database(postgres.createDatabase(spec.name())).build();
        }
        return spec;
    }

    public static final class Builder {

        private final List<Function<KafkaBroker, KeycloakServerSpec>> specs = new ArrayList<>();
        private Path workDir;
        private boolean postgres;

        private Builder() {
        }

        public Builder keycloak(KeycloakServerSpec spec) {
            specs.add(broker -> spec);
            return this;
        }

        /** A Keycloak whose spec needs the broker, e.g. its address in an environment variable. */
        public Builder keycloak(Function<KafkaBroker, KeycloakServerSpec> spec) {
            specs.add(spec);
            return this;
        }

        /** Use this directory instead of a new one under {@code -Dreplica.stack.work.dir}. */
        public Builder workDir(Path dir) {
            this.workDir = dir.toAbsolutePath();
            return this;
        }

        /**
         * Run a {@link LocalPostgres} and give each Keycloak whose spec leaves the database at the H2 default a
         * database of its own there.
         */
        public Builder postgres() {
            this.postgres = true;
            return this;
        }

        /** Starts everything and returns once every server is ready; on failure, stops what did start. */
        public Stack start() {
            return new Stack(this).start();
        }
    }
}
