package io.github.keycloakreplica.stack;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The database a Keycloak server keeps its state in. */
public final class Database {

    /**
     * H2 keeps commits in memory for up to a second before writing them (MVStore's auto-commit delay), so a
     * killed server would lose its last second. WRITE_DELAY=0 writes at every commit: a crash test sees
     * exactly what the server committed, as with a real database.
     */
    private static final Database DEV_FILE = new Database("dev-file", Map.of("db-url-properties", ";WRITE_DELAY=0"));

    private final String vendor;
    private final Map<String, String> options;

    private Database(String vendor, Map<String, String> options) {
        this.vendor = vendor;
        this.options = options;
    }

    /**
     * Keycloak's start-dev default: H2 in files under the server's {@code data/h2}, which a restart of the
     * same server (after a stop or a kill) finds again, with every commit written before it returns.
     */
    public static Database devFile() {
        return DEV_FILE;
    }

    /** A PostgreSQL database, e.g. one from {@link LocalPostgres#createDatabase(String)}. */
    public static Database postgres(String jdbcUrl, String username, String password) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("db", "postgres");
        options.put("db-url", Objects.requireNonNull(jdbcUrl, "jdbcUrl"));
        options.put("db-username", Objects.requireNonNull(username, "username"));
        options.put("db-password", Objects.requireNonNull(password, "password"));
        return new Database("postgres", Collections.unmodifiableMap(options));
    }

    public String vendor() {
        return vendor;
    }

    /** Keycloak options, without leading dashes. */
    Map<String, String> options() {
        return options;
    }

    @Override
    public String toString() {
        // Never the password.
        return vendor + (options.containsKey("db-url") ? " " + options.get("db-url") : "");
    }
}
