package io.github.keycloakreplica.bench;

import io.github.keycloakreplica.stack.FreePorts;
import io.github.keycloakreplica.stack.LogTail;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway OpenLDAP directory on loopback: {@code users} inetOrgPerson entries under
 * {@code ou=people,dc=bench,dc=example}, bulk-loaded with slapadd and served by a slapd of its own.
 *
 * <p>Uses the Debian packages slapd and ldap-utils, never the system's slapd service: the configuration is
 * a static {@code slapd.conf} in the given directory, so nothing outside it is read or written (apart from
 * the packaged schema files and modules).
 */
public final class OpenLdap implements AutoCloseable {

    public static final String INSTALL_HINT = "install the Debian packages slapd and ldap-utils (apt-get install slapd ldap-utils)";

    private static final Path SLAPD = Path.of("/usr/sbin/slapd");
    private static final Path SLAPADD = Path.of("/usr/sbin/slapadd");
    private static final Path LDAPSEARCH = Path.of("/usr/bin/ldapsearch");
    private static final Path MODULE_DIR = Path.of("/usr/lib/ldap");
    private static final Path SCHEMA_DIR = Path.of("/etc/ldap/schema");
    private static final List<String> SCHEMAS = List.of("core.schema", "cosine.schema", "inetorgperson.schema");

    private static final String BASE_DN = "dc=bench,dc=example";
    private static final String USERS_DN = "ou=people," + BASE_DN;
    private static final String BIND_DN = "cn=admin," + BASE_DN;

    /** slapadd of 100,000 entries takes seconds; minutes would mean something is wrong, not slow. */
    private static final long SLAPADD_TIMEOUT_SECONDS = 600;
    private static final long START_TIMEOUT_MILLIS = 30_000;
    private static final long STOP_TIMEOUT_SECONDS = 10;
    private static final int LOG_TAIL_LINES = 30;

    private final Path dir;
    private final int port;
    private final String rootPassword;
    private final int users;
    private final Path log;
    private final Process slapd;
    private final Thread shutdownHook;
    private boolean closed;

    private OpenLdap(Path dir, int port, String rootPassword, int users, Path log, Process slapd) {
        this.dir = dir;
        this.port = port;
        this.rootPassword = rootPassword;
        this.users = users;
        this.log = log;
        this.slapd = slapd;
        // The stack's own reaper is internal to it; without a hook of our own an interrupted benchmark would
        // leave a slapd listening on loopback.
        this.shutdownHook = new Thread(this::stopProcess, "openldap-stop-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Whether the slapd, slapadd and ldapsearch binaries (and the mdb backend module) are installed. */
    public static boolean available() {
        return Files.isExecutable(SLAPD) && Files.isExecutable(SLAPADD) && Files.isExecutable(LDAPSEARCH)
                && Files.exists(MODULE_DIR.resolve("back_mdb.la"))
                && SCHEMAS.stream().allMatch(schema -> Files.isRegularFile(SCHEMA_DIR.resolve(schema)));
    }

    /**
     * Writes a configuration and {@code users} entries into {@code dir}, loads them with slapadd and starts
     * slapd on a free loopback port; returns once it answers a search.
     */
    public static OpenLdap load(Path dir, int users) {
        if (users < 0) {
            throw new IllegalArgumentException("users must not be negative: " + users);
        }
        if (!available()) {
            throw new IllegalStateException("OpenLDAP is not installed (need " + SLAPD + ", " + SLAPADD + ", " + LDAPSEARCH
                    + ", " + MODULE_DIR.resolve("back_mdb.la") + " and " + SCHEMAS + " in " + SCHEMA_DIR + "): " + INSTALL_HINT);
        }
        Path home = dir.toAbsolutePath();
        Path data = home.resolve("data");
        try {
            Files.createDirectories(data);
            // slapadd adds to whatever database is there; a leftover one would make the counts meaningless.
            try (Stream<Path> existing = Files.list(data)) {
                if (existing.findAny().isPresent()) {
                    throw new IllegalStateException("The OpenLDAP data directory " + data + " is not empty; give load() a fresh directory");
                }
            }
            String rootPassword = HexFormat.of().formatHex(randomBytes());
            Path config = writeConfig(home, data, rootPassword);
            Path ldif = writeLdif(home.resolve("people.ldif"), users);
            slapadd(home, config, ldif, users);

            int port = FreePorts.next();
            Path log = home.resolve("slapd.log");
            // -d keeps slapd in the foreground (otherwise it forks and the child could not be stopped through
            // this Process); level "none" prints only start, stop and fatal configuration errors.
            Process process = new ProcessBuilder(SLAPD.toString(), "-d", "none", "-f", config.toString(),
                    "-h", "ldap://127.0.0.1:" + port + "/")
                    .directory(home.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            OpenLdap ldap = new OpenLdap(home, port, rootPassword, users, log, process);
            try {
                ldap.awaitReady();
            } catch (RuntimeException e) {
                ldap.close();
                throw e;
            }
            return ldap;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not set up OpenLDAP in " + home, e);
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private static Path writeConfig(Path home, Path data, String rootPassword) throws IOException {
        StringBuilder conf = new StringBuilder();
        for (String schema : SCHEMAS) {
            conf.append("include ").append(SCHEMA_DIR.resolve(schema)).append('\n');
        }
        conf.append("modulepath ").append(MODULE_DIR).append('\n')
                .append("moduleload back_mdb\n")
                // Per-operation logging would cost the benchmark time for nothing; errors still reach -d's output.
                .append("loglevel none\n")
                .append("pidfile ").append(home.resolve("slapd.pid")).append('\n')
                .append("argsfile ").append(home.resolve("slapd.args")).append('\n')
                .append("database mdb\n")
                // The map is sparse; it only bounds growth. 100,000 entries with indexes take well under 1 GiB.
                .append("maxsize 4294967296\n")
                .append("suffix \"").append(BASE_DN).append("\"\n")
                .append("rootdn \"").append(BIND_DN).append("\"\n")
                .append("rootpw ").append(rootPassword).append('\n')
                .append("directory ").append(data).append('\n')
                // uid for Keycloak's username lookups, objectClass for its sync filter, entryUUID for the lookups
                // by LDAP id that Keycloak makes when it validates an imported user: as a real directory would.
                .append("index objectClass,uid,entryUUID eq\n");
        Path config = home.resolve("slapd.conf");
        Files.writeString(config, conf.toString(), StandardCharsets.UTF_8);
        // It holds the root password; the data directory is the place for nothing else to read either.
        config.toFile().setReadable(false, false);
        config.toFile().setReadable(true, true);
        return config;
    }

    /** Streams the entries to the file so a 100,000-user directory never sits in memory as one string. */
    private static Path writeLdif(Path ldif, int users) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(ldif, StandardCharsets.UTF_8)) {
            out.write("dn: " + BASE_DN + "\nobjectClass: dcObject\nobjectClass: organization\ndc: bench\no: bench\n\n");
            out.write("dn: " + USERS_DN + "\nobjectClass: organizationalUnit\nou: people\n\n");
            for (int i = 0; i < users; i++) {
                String uid = "ldap-" + i;
                out.write("dn: uid=" + uid + "," + USERS_DN + "\n"
                        + "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: inetOrgPerson\n"
                        + "uid: " + uid + "\n"
                        + "cn: Ldap User " + i + "\n"
                        + "sn: User " + i + "\n"
                        + "givenName: Ldap\n"
                        + "mail: " + uid + "@example.com\n\n");
            }
        }
        return ldif;
    }

    private static void slapadd(Path home, Path config, Path ldif, int users) throws IOException {
        Path log = home.resolve("slapadd.log");
        long start = System.nanoTime();
        // -q skips the consistency checks that make slapadd slow; the input is generated and known to be sound.
        // slapadd also adds the operational attributes (entryUUID, timestamps) that Keycloak relies on.
        Process process = new ProcessBuilder(SLAPADD.toString(), "-q", "-f", config.toString(), "-l", ldif.toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!process.waitFor(SLAPADD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                throw new IllegalStateException("slapadd of " + ldif + " did not finish within " + SLAPADD_TIMEOUT_SECONDS + " s; "
                        + log + " ends with:\n" + LogTail.tail(log, LOG_TAIL_LINES));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while slapadd loaded " + ldif, e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("slapadd of " + ldif + " failed with exit code " + process.exitValue() + "; "
                    + log + " ends with:\n" + LogTail.tail(log, LOG_TAIL_LINES));
        }
        System.out.printf("OpenLDAP: slapadd loaded %,d users (+2 container entries) in %.2f s into %s%n",
                users, (System.nanoTime() - start) / 1e9, home.resolve("data"));
    }

    /** Until an anonymous base search succeeds; fails at once if slapd exits, e.g. on a bad configuration. */
    private void awaitReady() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        String lastAnswer = "";
        while (true) {
            if (!slapd.isAlive()) {
                throw new IllegalStateException("slapd exited with code " + slapd.exitValue() + " before it answered on " + url()
                        + "; " + log + " ends with:\n" + LogTail.tail(log, LOG_TAIL_LINES));
            }
            lastAnswer = probe();
            if (lastAnswer == null) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("slapd did not answer a search on " + url() + " within " + START_TIMEOUT_MILLIS / 1000
                        + " s (last ldapsearch: " + lastAnswer.strip() + "); " + log + " ends with:\n" + LogTail.tail(log, LOG_TAIL_LINES));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for slapd on " + url(), e);
            }
        }
    }

    /** Null if a base search of the suffix succeeds, else what ldapsearch said. */
    private String probe() {
        // To a file, not a pipe: reading a pipe would block past the time limit if ldapsearch hung.
        Path output = dir.resolve("ldapsearch-probe.log");
        try {
            Process search = new ProcessBuilder(LDAPSEARCH.toString(), "-x", "-LLL", "-o", "nettimeout=2", "-H", url(),
                    "-b", BASE_DN, "-s", "base", "dn")
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!search.waitFor(5, TimeUnit.SECONDS)) {
                search.destroyForcibly();
                return "no answer within 5 s";
            }
            return search.exitValue() == 0 ? null
                    : "exit code " + search.exitValue() + ": " + Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while probing slapd on " + url(), e);
        }
    }

    /** {@code ldap://127.0.0.1:<port>} */
    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    public String baseDn() {
        return BASE_DN;
    }

    /** Where the user entries are, one level below. */
    public String usersDn() {
        return USERS_DN;
    }

    /** The root DN: no size or time limits apply to it. */
    public String bindDn() {
        return BIND_DN;
    }

    public String bindCredential() {
        return rootPassword;
    }

    /** The number of user entries loaded. */
    public int users() {
        return users;
    }

    public Path dir() {
        return dir;
    }

    /** Stops slapd (SIGTERM, then SIGKILL if it does not end in time). The files stay in {@link #dir()}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down already, and the hook is running or has run.
        }
    }

    private void stopProcess() {
        if (!slapd.isAlive()) {
            return;
        }
        slapd.destroy();
        try {
            if (!slapd.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                slapd.destroyForcibly().waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            slapd.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (slapd.isAlive()) {
            System.err.println("OpenLDAP: slapd (pid " + slapd.pid() + ") on " + url() + " is still running after SIGKILL");
        }
    }

    @Override
    public String toString() {
        return "OpenLDAP " + url() + " (" + users + " users, " + dir + ")";
    }
}
