package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the build left what the servers are made of: the Keycloak distribution zip, our provider jars, the
 * broker's classpath and the realm files. The build records these in {@code stack.properties}; a system
 * property {@code replica.stack.<key>} overrides each, e.g. {@code -Dreplica.stack.providers.dir=/x}.
 */
public final class StackArtifacts {

    private static final String RESOURCE = "stack.properties";
    private static final String PREFIX = "replica.stack.";

    private final Properties recorded;

    private StackArtifacts(Properties recorded) {
        this.recorded = recorded;
    }

    public static StackArtifacts load() {
        Properties properties = new Properties();
        try (InputStream in = StackArtifacts.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new StackException(RESOURCE + " is missing next to " + StackArtifacts.class.getName()
                        + "; build the stack module with Maven (mvn -pl stack -am install)");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new StackArtifacts(properties);
    }

    /** The Keycloak version the servers run, e.g. 26.7.3. */
    public String keycloakVersion() {
        return value("keycloak.dist.version");
    }

    /** The {@code keycloak-quarkus-dist} zip. */
    public Path keycloakDistZip() {
        return existing("keycloak.dist.zip");
    }

    /** Everything that goes into a server's {@code providers/}: our provider jar, its libraries, the theme. */
    public Path providersDir() {
        return existing("providers.dir");
    }

    /** The broker JVM's classpath: the Kafka broker and its libraries, as the build resolved them. */
    public String brokerClasspath() {
        try {
            return Files.readString(existing("broker.classpath.file")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The repository's {@code realm-config/} directory with the realm import files. */
    public Path realmConfigDir() {
        return existing("realm.config.dir");
    }

    /** A file in {@link #realmConfigDir()}. */
    public Path realmFile(String name) {
        Path file = realmConfigDir().resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new StackException("No realm file " + file);
        }
        return file;
    }

    /** The repository's README.md, whose admin REST examples the demo prints and a test runs. */
    public Path readme() {
        return existing("readme");
    }

    private String value(String key) {
        String value = System.getProperty(PREFIX + key, recorded.getProperty(key));
        if (value == null || value.isBlank() || value.contains("${")) {
            throw new StackException(RESOURCE + " has no value for " + key + " and -D" + PREFIX + key + " is not set");
        }
        return value;
    }

    private Path existing(String key) {
        Path path = Path.of(value(key)).normalize();
        if (!Files.exists(path)) {
            throw new StackException(path + " (" + key + ") does not exist; build the stack module first"
                    + " (mvn -pl theme,provider,stack -am install -DskipTests) or set -D" + PREFIX + key);
        }
        return path;
    }
}
