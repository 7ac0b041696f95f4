package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server from the operating system's binaries (Debian's {@code postgresql} package:
 * {@code /usr/lib/postgresql/<version>/bin}), in a directory of the work dir, on a free loopback port, with
 * trust authentication and no durability: it exists for tests only.
 *
 * <p>PostgreSQL refuses to run as root. When this JVM is root (a CI container), the server runs as the
 * {@code postgres} system user the package creates, through {@code runuser}, and its directory is handed to
 * that user.
 */
public final class LocalPostgres implements AutoCloseable {

    /** Overrides where the PostgreSQL binaries are, e.g. {@code /usr/lib/postgresql/16/bin}. */
    public static final String BIN_PROPERTY = "replica.stack.postgres.bin";
    public static final String SETTINGS_PROPERTY = "replica.stack.postgres.settings";
    public static final String USER = "postgres";
    /** Trust authentication ignores it; Keycloak wants one anyway. */
    public static final String PASSWORD = "postgres";

    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Path dir;
    private final Path bin;
    private final int port;
    private final boolean asPostgresUser;
    private boolean running;

    public LocalPostgres(Path dir) {
        this.bin = binaries().orElseThrow(() -> new StackException("No PostgreSQL server binaries (initdb, pg_ctl)"
                + " under " + DEBIAN_ROOT + "/<version>/bin. Install them with 'apt-get install postgresql'"
                + " or point -D" + BIN_PROPERTY + " at a directory that has them."));
        this.port = FreePorts.next();
        this.asPostgresUser = isRoot();
        this.dir = asPostgresUser && !othersMayEnter(dir.toAbsolutePath().getParent()) ? elsewhere(dir) : dir.toAbsolutePath();
    }

    /**
     * Whether a user who is neither owner nor in the group (the {@code postgres} user, for a root-owned
     * checkout) can pass through every existing directory from the root down to this one. A checkout under
     * a directory only its owner may enter (root's home, a {@code mktemp -d} folder) is not passable.
     */
    static boolean othersMayEnter(Path directory) {
        for (Path p = directory; p != null; p = p.getParent()) {
            if (!Files.exists(p)) {
                continue;
            }
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return true;
    }

    /** A directory the postgres user can reach, under the system's temporary directory, named after the wanted one. */
    private static Path elsewhere(Path wanted) {
        try {
            Path dir = Files.createTempDirectory("keycloak-replica-postgres-");
            System.err.printf("PostgreSQL runs as the postgres user, who cannot enter %s (a parent directory is closed to others); "
                    + "its directory is %s instead%n", wanted.toAbsolutePath(), dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create a directory for PostgreSQL under " + System.getProperty("java.io.tmpdir"), e);
        }
    }

    /** The directory with initdb and pg_ctl, if there is one: newest version first. */
    public static Optional<Path> binaries() {
        String configured = System.getProperty(BIN_PROPERTY);
        if (configured != null) {
            return Optional.of(Path.of(configured)).filter(LocalPostgres::hasServerBinaries);
        }
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(LocalPostgres::hasServerBinaries)
                    .max(Comparator.comparingInt(LocalPostgres::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return dir.resolve("postgres.log");
    }

    /** PostgreSQL JDBC driver properties for every Keycloak of the stack, e.g. "reWriteBatchedInserts=true". */
    public static final String JDBC_PROPERTIES_PROPERTY = "replica.stack.postgres.jdbcProperties";

    public String jdbcUrl(String database) {
        String properties = System.getProperty(JDBC_PROPERTIES_PROPERTY, "");
        return "jdbc:postgresql://" + FreePorts.LOOPBACK.getHostAddress() + ":" + port + "/" + database
                + (properties.isBlank() ? "" : "?" + properties.trim());
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            Files.createDirectories(dir);
            if (!Files.exists(logFile())) {
                Files.createFile(logFile());
            }
            if (asPostgresUser) {
                // The server process, running as postgres, writes the data directory and this log.
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(USER);
                Files.setOwner(dir, postgres);
                Files.setOwner(logFile(), postgres);
            }
            if (!Files.exists(dataDir().resolve("PG_VERSION"))) {
                run(true, bin.resolve("initdb").toString(), "-D", dataDir().toString(), "-U", USER, "-A", "trust",
                        "-E", "UTF8", "--no-locale", "--no-sync");
                Files.writeString(dataDir().resolve("postgresql.conf"), String.join("\n", "",
                        "listen_addresses = '" + FreePorts.LOOPBACK.getHostAddress() + "'",
                        "port = " + port,
                        // Unix sockets would need a short, writable path; TCP on loopback is all we use.
                        "unix_socket_directories = ''",
                        // Throwaway data: durability only costs time.
                        "fsync = off",
                        "synchronous_commit = off",
                        "full_page_writes = off",
                        "max_connections = 300",
                        // Extra settings to look into a run, e.g. "log_min_duration_statement = 50" (';' separates them).
                        System.getProperty(SETTINGS_PROPERTY, "").replace(';', '\n'), ""), StandardOpenOption.APPEND);
            }
            Reaper.register(this);
            running = true;
            run(true, bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-l", logFile().toString(),
                    "-w", "-t", "60", "start");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start PostgreSQL in " + dir, e);
        }
    }

    /** Creates an empty database and returns it as a Keycloak {@link Database}. */
    public Database createDatabase(String name) {
        String database = name.replace('-', '_');
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a plain database name");
        }
        run(false, bin.resolve("createdb").toString(), "-h", FreePorts.LOOPBACK.getHostAddress(),
                "-p", String.valueOf(port), "-U", USER, database);
        return Database.postgres(jdbcUrl(database), USER, PASSWORD);
    }

    public synchronized void stop() {
        if (running) {
            try {
                run(true, bin.resolve("pg_ctl").toString(), "-D", dataDir().toString(), "-m", "fast", "-w",
                        "-t", "30", "stop");
            } catch (StackException e) {
                killPostmaster();
                throw e;
            } finally {
                running = false;
                Reaper.unregister(this);
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "PostgreSQL 127.0.0.1:" + port + " in " + dir;
    }

    private Path dataDir() {
        return dir.resolve("data");
    }

    /** Runs a PostgreSQL tool to completion, output into the log; server tools as the postgres user if root. */
    private void run(boolean serverTool, String... command) {
        List<String> full = new ArrayList<>();
        if (serverTool && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", USER, "--"));
        }
        full.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(full)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile().toFile()))
                    .start();
            process.getOutputStream().close();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                ProcessTree.kill(process);
                throw new StackException(String.join(" ", full) + " took longer than 90 s. Last lines of "
                        + logFile() + ":\n" + LogTail.tail(logFile(), Await.LOG_LINES));
            }
            if (process.exitValue() != 0) {
                throw new StackException(String.join(" ", full) + " failed with exit code " + process.exitValue()
                        + ". Last lines of " + logFile() + ":\n" + LogTail.tail(logFile(), Await.LOG_LINES));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not run " + full, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while running " + full, e);
        }
    }

    /** Last resort when pg_ctl cannot stop it: the postmaster is not our child, its pid is in its data dir. */
    private void killPostmaster() {
        try {
            String pid = Files.readAllLines(dataDir().resolve("postmaster.pid")).get(0).trim();
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(postmaster -> {
                List<ProcessHandle> tree = postmaster.descendants().collect(Collectors.toList());
                postmaster.destroyForcibly();
                tree.forEach(ProcessHandle::destroyForcibly);
            });
        } catch (IOException | RuntimeException e) {
            System.err.println("replica-stack: could not kill the postmaster of " + dir + ": " + e);
        }
    }

    private static boolean hasServerBinaries(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))
                && Files.isExecutable(bin.resolve("createdb"));
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
