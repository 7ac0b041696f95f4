package io.github.keycloakreplica.stack;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway OpenLDAP directory on a free loopback port: {@code users} inetOrgPerson entries under
 * {@code ou=people,dc=bench,dc=example}, bulk-loaded with slapadd and served by a slapd of its own. It is the
 * directory that Keycloak's own LDAP federation imports from in the benchmarks' baseline.
 *
 * <p>Uses the Debian packages slapd and ldap-utils, never the system's slapd service: the configuration is
 * a static {@code slapd.conf} in the given directory, so nothing outside it is read or written (apart from
 * the packaged schema files and modules). Like the stack's other servers, a slapd that is still running at
 * JVM exit is stopped there.
 */
public final class LocalOpenLdap implements AutoCloseable {

    public static final String INSTALL_HINT = "install the Debian packages slapd and ldap-utils (apt-get install slapd ldap-utils)";

    private static final System.Logger LOG = System.getLogger(LocalOpenLdap.class.getName());

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
    private static final Duration SLAPADD_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

    private final Path dir;
    private final int port;
    private final String rootPassword;
    private final int users;
    /** Its place in the Reaper is what stops slapd when a benchmark is interrupted. */
    private final ServerProcess slapd = new ServerProcess(this);

    private LocalOpenLdap(Path dir, int users) {
        this.dir = dir;
        this.port = FreePorts.next();
        this.rootPassword = HexFormat.of().formatHex(randomBytes());
        this.users = users;
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
    public static LocalOpenLdap load(Path dir, int users) {
        if (users < 0) {
            throw new IllegalArgumentException("users must not be negative: " + users);
        }
        if (!available()) {
            throw new StackException("OpenLDAP is not installed (need " + SLAPD + ", " + SLAPADD + ", " + LDAPSEARCH
                    + ", " + MODULE_DIR.resolve("back_mdb.la") + " and " + SCHEMAS + " in " + SCHEMA_DIR + "): " + INSTALL_HINT);
        }
        LocalOpenLdap ldap = new LocalOpenLdap(dir.toAbsolutePath(), users);
        ldap.start();
        return ldap;
    }

    /** {@code ldap://127.0.0.1:<port>} */
    public String url() {
        return "ldap://127.0.0.1:" + port;
    }

    public int port() {
        return port;
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

    /**
     * The settings of a Keycloak LDAP federation component for this directory as the admin console's "Add LDAP
     * provider" page makes them for vendor "Other": read-only, with import, no periodic sync. Keys as in Keycloak 26's
     * LDAPStorageProviderFactory, LDAPConstants, UserStorageProviderModel, CacheableStorageProviderModel and
     * PrioritizedComponentModel; callers change what their runs need. Unset keys keep Keycloak's defaults: "referral"
     * in particular must be absent, not empty, as Keycloak hands any value it has to JNDI, which rejects "".
     */
    public Map<String, String> keycloakComponentConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("enabled", "true");
        config.put("priority", "0");
        config.put("vendor", "other");
        config.put("connectionUrl", url());
        config.put("startTls", "false");
        config.put("useTruststoreSpi", "always");
        config.put("connectionPooling", "true");
        config.put("authType", "simple");
        config.put("bindDn", bindDn());
        config.put("bindCredential", bindCredential());
        config.put("editMode", "READ_ONLY");
        config.put("usersDn", usersDn());
        config.put("usernameLDAPAttribute", "uid");
        config.put("rdnLDAPAttribute", "uid");
        config.put("uuidLDAPAttribute", "entryUUID");
        config.put("userObjectClasses", "inetOrgPerson, organizationalPerson");
        config.put("searchScope", "1");
        config.put("pagination", "true");
        config.put("importEnabled", "true");
        config.put("syncRegistrations", "false");
        config.put("batchSizeForSync", "1000");
        config.put("fullSyncPeriod", "-1");
        config.put("changedSyncPeriod", "-1");
        config.put("cachePolicy", "DEFAULT");
        config.put("trustEmail", "false");
        config.put("validatePasswordPolicy", "false");
        config.put("usePasswordModifyExtendedOp", "false");
        config.put("allowKerberosAuthentication", "false");
        config.put("useKerberosForPasswordAuthentication", "false");
        config.put("enableLdapPasswordPolicy", "false");
        config.put("connectionTrace", "false");
        return config;
    }

    /** The number of user entries loaded. */
    public int users() {
        return users;
    }

    public Path dir() {
        return dir;
    }

    /** What slapd prints: start, stop and fatal configuration errors. */
    public Path logFile() {
        return dir.resolve("slapd.log");
    }

    public boolean isRunning() {
        return slapd.isRunning();
    }

    /** Stops slapd (SIGTERM, then SIGKILL if it does not end in time). The files stay in {@link #dir()}. */
    @Override
    public void close() {
        slapd.stop();
    }

    @Override
    public String toString() {
        return "OpenLDAP " + url() + " (" + users + " users, " + dir + ")";
    }

    private void start() {
        Path data = dir.resolve("data");
        Process launched;
        try {
            Files.createDirectories(data);
            // slapadd adds to whatever database is there; a leftover one would make the counts meaningless.
            try (Stream<Path> existing = Files.list(data)) {
                if (existing.findAny().isPresent()) {
                    throw new StackException("The OpenLDAP data directory " + data + " is not empty; give load() a fresh directory");
                }
            }
            Path config = writeConfig(data);
            Path ldif = dir.resolve("people.ldif");
            try (BufferedWriter out = Files.newBufferedWriter(ldif, StandardCharsets.UTF_8)) {
                writeLdif(out, users);
            }
            slapadd(config, ldif);
            slapd.launching();
            // -d keeps slapd in the foreground (otherwise it forks and the child could not be stopped through
            // this Process); level "none" prints only start, stop and fatal configuration errors.
            launched = new ProcessBuilder(SLAPD.toString(), "-d", "none", "-f", config.toString(), "-h", url() + "/")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile().toFile()))
                    .start();
            slapd.launched(launched);
            launched.getOutputStream().close();
        } catch (IOException e) {
            slapd.kill();
            throw new UncheckedIOException("Could not set up OpenLDAP in " + dir, e);
        }
        try {
            Await.ready("slapd on " + url(), launched, logFile(), START_TIMEOUT, this::answersSearch);
        } catch (RuntimeException e) {
            slapd.kill();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "OpenLDAP ready at {0} with {1} users in {2}", url(), users, dir);
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    private Path writeConfig(Path data) throws IOException {
        StringBuilder conf = new StringBuilder();
        for (String schema : SCHEMAS) {
            conf.append("include ").append(SCHEMA_DIR.resolve(schema)).append('\n');
        }
        conf.append("modulepath ").append(MODULE_DIR).append('\n')
                .append("moduleload back_mdb\n")
                // Per-operation logging would cost the benchmark time for nothing; errors still reach -d's output.
                .append("loglevel none\n")
                .append("pidfile ").append(dir.resolve("slapd.pid")).append('\n')
                .append("argsfile ").append(dir.resolve("slapd.args")).append('\n')
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
        Path config = dir.resolve("slapd.conf");
        Files.writeString(config, conf.toString(), StandardCharsets.UTF_8);
        // It holds the root password; the data directory is the place for nothing else to read either.
        config.toFile().setReadable(false, false);
        config.toFile().setReadable(true, true);
        return config;
    }

    /**
     * The suffix, the people container and {@code users} people ldap-0, ldap-1, … Written as a stream so a
     * 100,000-user directory never sits in memory as one string.
     */
    static void writeLdif(Writer out, int users) throws IOException {
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

    private void slapadd(Path config, Path ldif) throws IOException {
        long started = System.nanoTime();
        // -q skips the consistency checks that make slapadd slow; the input is generated and known to be sound.
        // slapadd also adds the operational attributes (entryUUID, timestamps) that Keycloak relies on.
        int exitCode = runToEnd(dir.resolve("slapadd.log"), SLAPADD_TIMEOUT,
                SLAPADD.toString(), "-q", "-f", config.toString(), "-l", ldif.toString());
        if (exitCode != 0) {
            throw new StackException("slapadd of " + ldif + " failed with exit code " + exitCode + ". Last lines of "
                    + dir.resolve("slapadd.log") + ":\n" + LogTail.tail(dir.resolve("slapadd.log"), Await.LOG_LINES));
        }
        LOG.log(System.Logger.Level.INFO, "OpenLDAP: slapadd loaded {0} users (+2 container entries) in {1} ms into {2}",
                users, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dir.resolve("data"));
    }

    /** For {@link Await}: true once an anonymous base search of the suffix succeeds, else what ldapsearch said. */
    private boolean answersSearch() throws IOException {
        // To a file, not a pipe: reading a pipe would block past the time limit if ldapsearch hung.
        Path output = dir.resolve("ldapsearch-probe.log");
        Files.deleteIfExists(output);
        int exitCode = runToEnd(output, PROBE_TIMEOUT, LDAPSEARCH.toString(), "-x", "-LLL", "-o", "nettimeout=2",
                "-H", url(), "-b", BASE_DN, "-s", "base", "dn");
        if (exitCode != 0) {
            throw new StackException("ldapsearch exit code " + exitCode + ": "
                    + Files.readString(output, StandardCharsets.UTF_8).strip());
        }
        return true;
    }

    /** Runs a tool to completion, output appended to {@code log}; killed and reported once past {@code timeout}. */
    private int runToEnd(Path log, Duration timeout, String... command) throws IOException {
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(log.toFile()))
                .start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                ProcessTree.kill(process);
                throw new StackException(String.join(" ", command) + " took longer than " + timeout.toSeconds()
                        + " s. Last lines of " + log + ":\n" + LogTail.tail(log, Await.LOG_LINES));
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            ProcessTree.kill(process);
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while running " + String.join(" ", command), e);
        }
    }
}
