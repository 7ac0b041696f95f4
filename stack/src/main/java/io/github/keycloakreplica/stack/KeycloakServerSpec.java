package io.github.keycloakreplica.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What one Keycloak server of the stack is: its name, the realms it imports at its first start, extra
 * Keycloak options and environment, and its database. Immutable; build with {@link #builder(String)}.
 */
public final class KeycloakServerSpec {

    /** Set by the stack itself; a spec cannot override them. */
    static final Set<String> RESERVED_OPTIONS = Set.of("http-port", "http-management-port", "http-host",
            "import-realm", "db", "db-url", "db-url-properties", "db-username", "db-password");

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,39}");
    private static final Pattern OPTION = Pattern.compile("[a-z0-9][a-z0-9.-]*");

    private final String name;
    private final List<Path> realmImports;
    private final Map<String, String> options;
    private final Map<String, String> env;
    private final Database database;
    private final Supplier<Path> providersDir;
    private final Supplier<Path> distZip;
    private final String adminUsername;
    private final String adminPassword;
    private final Duration startTimeout;

    private KeycloakServerSpec(Builder b) {
        this.name = b.name;
        this.realmImports = List.copyOf(b.realmImports);
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.env = Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.database = b.database;
        this.providersDir = b.providersDir;
        this.distZip = b.distZip;
        this.adminUsername = b.adminUsername;
        this.adminPassword = b.adminPassword;
        this.startTimeout = b.startTimeout;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<Path> realmImports() {
        return realmImports;
    }

    /** Extra Keycloak options, names without the leading dashes. */
    public Map<String, String> options() {
        return options;
    }

    public Map<String, String> env() {
        return env;
    }

    public Database database() {
        return database;
    }

    public Path providersDir() {
        return providersDir.get();
    }

    public Path distZip() {
        return distZip.get();
    }

    public String adminUsername() {
        return adminUsername;
    }

    public String adminPassword() {
        return adminPassword;
    }

    public Duration startTimeout() {
        return startTimeout;
    }

    /** A copy with one more environment variable, e.g. a Kafka address only known once a broker exists. */
    public KeycloakServerSpec withEnv(String key, String value) {
        return toBuilder().env(key, value).build();
    }

    public Builder toBuilder() {
        return toBuilder(name);
    }

    /** The same settings under another server name (another node of the same site, say). */
    public Builder toBuilder(String newName) {
        Builder b = new Builder(newName);
        b.realmImports.addAll(realmImports);
        b.options.putAll(options);
        b.env.putAll(env);
        b.database = database;
        b.providersDir = providersDir;
        b.distZip = distZip;
        b.adminUsername = adminUsername;
        b.adminPassword = adminPassword;
        b.startTimeout = startTimeout;
        return b;
    }

    /** The {@code kc.sh} arguments after the script itself. */
    List<String> arguments(int httpPort, int managementPort) {
        List<String> args = new ArrayList<>(List.of("start-dev", "--import-realm",
                "--http-host=" + FreePorts.LOOPBACK.getHostAddress(),
                "--http-port=" + httpPort,
                "--http-management-port=" + managementPort,
                "--health-enabled=true",
                "--metrics-enabled=true"));
        database.options().forEach((option, value) -> args.add("--" + option + "=" + value));
        options.forEach((option, value) -> args.add("--" + option + "=" + value));
        return args;
    }

    @Override
    public String toString() {
        return "Keycloak '" + name + "' (" + database + ", realms " + realmImports + ", options " + options.keySet() + ")";
    }

    public static final class Builder {

        private final String name;
        private final List<Path> realmImports = new ArrayList<>();
        private final Map<String, String> options = new LinkedHashMap<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private Database database = Database.devFile();
        private Supplier<Path> providersDir = () -> StackArtifacts.load().providersDir();
        private Supplier<Path> distZip = () -> StackArtifacts.load().keycloakDistZip();
        private String adminUsername = "admin";
        private String adminPassword = "admin";
        private Duration startTimeout = Duration.ofSeconds(180);

        private Builder(String name) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("Server name '" + name
                        + "' must be 1-40 of a-z, 0-9 and '-', starting with a letter or digit: it names a directory");
            }
            this.name = name;
        }

        /** Realm JSON files copied to {@code data/import} and imported at the first start. */
        public Builder realmImport(Path... files) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("No realm file " + file);
                }
                realmImports.add(file.toAbsolutePath());
            }
            return this;
        }

        /**
         * A Keycloak option as {@code --name=value}; {@code name} with or without the dashes, e.g.
         * {@code option("log-level", "INFO,org.keycloak.events:DEBUG")}.
         */
        public Builder option(String name, String value) {
            String bare = name.startsWith("--") ? name.substring(2) : name;
            if (!OPTION.matcher(bare).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a Keycloak option name");
            }
            if (RESERVED_OPTIONS.contains(bare)) {
                throw new IllegalArgumentException("--" + bare + " is set by the stack"
                        + (bare.startsWith("db") ? "; use database(...)" : ""));
            }
            options.put(bare, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * An environment variable of the server process. Realm files resolve {@code ${NAME:default}} from
         * these at import.
         */
        public Builder env(String key, String value) {
            env.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder database(Database database) {
            this.database = Objects.requireNonNull(database, "database");
            return this;
        }

        /** The directory whose files go into {@code providers/}; by default the one the build filled. */
        public Builder providersDir(Path dir) {
            Objects.requireNonNull(dir, "dir");
            this.providersDir = () -> dir;
            return this;
        }

        public Builder distZip(Path zip) {
            Objects.requireNonNull(zip, "zip");
            this.distZip = () -> zip;
            return this;
        }

        /** The bootstrap admin of the master realm, created at the first start. */
        public Builder admin(String username, String password) {
            this.adminUsername = Objects.requireNonNull(username, "username");
            this.adminPassword = Objects.requireNonNull(password, "password");
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public KeycloakServerSpec build() {
            return new KeycloakServerSpec(this);
        }
    }
}
