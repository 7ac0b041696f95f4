package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds a JDK that can run Keycloak. The project compiles for Java 17 and Maven may well run on 17, but
 * Keycloak 26.7 needs Java 21 or newer, so the servers often need a different JDK than the build.
 */
public final class JavaHomes {

    public static final int KEYCLOAK_MINIMUM = 21;
    public static final String PROPERTY = "replica.stack.java.home";

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"([0-9]+)(?:\\.([0-9]+))?");

    private JavaHomes() {
    }

    /** The JDK home to run Keycloak with, in the order documented on {@link #resolve}. */
    public static Path forKeycloak() {
        return resolve(System.getProperty(PROPERTY), Path.of(System.getProperty("java.home")),
                Runtime.version().feature(), System.getenv("JAVA_HOME"), Path.of("/usr/lib/jvm"), KEYCLOAK_MINIMUM);
    }

    /**
     * The first of: the explicitly configured home (which must qualify: a wrong explicit choice is an error,
     * not something to silently work around); the running JVM's home; {@code JAVA_HOME}; the newest qualifying
     * JDK under {@code scanRoot}.
     */
    static Path resolve(String explicit, Path current, int currentFeature, String envJavaHome, Path scanRoot,
            int minimum) {
        if (explicit != null && !explicit.isBlank()) {
            Path home = Path.of(explicit);
            OptionalInt feature = featureVersion(home);
            if (feature.isEmpty() || feature.getAsInt() < minimum) {
                throw new StackException("-D" + PROPERTY + "=" + explicit + " is "
                        + (feature.isEmpty() ? "not a JDK home (no bin/java and release file)" : "Java " + feature.getAsInt())
                        + "; Keycloak 26.7 needs Java " + minimum + " or newer.");
            }
            return home;
        }
        if (currentFeature >= minimum) {
            return current;
        }
        if (envJavaHome != null && !envJavaHome.isBlank()
                && featureVersion(Path.of(envJavaHome)).orElse(0) >= minimum) {
            return Path.of(envJavaHome);
        }
        return newestUnder(scanRoot, minimum).orElseThrow(() -> new StackException(
                "Keycloak 26.7 needs Java " + minimum + " or newer to run, and none was found: this JVM is Java "
                        + currentFeature + " (" + current + "), JAVA_HOME is " + envJavaHome + ", and " + scanRoot
                        + " holds no JDK " + minimum + "+. Install one (e.g. apt-get install openjdk-21-jdk-headless)"
                        + " and point at it with -D" + PROPERTY + "=/path/to/jdk or JAVA_HOME."));
    }

    /** The feature version ("21" of "21.0.5", "8" of "1.8.0_392") from a JDK's release file. */
    static OptionalInt featureVersion(Path home) {
        if (!Files.isExecutable(home.resolve("bin").resolve("java"))) {
            return OptionalInt.empty();
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(home.resolve("release")));
            if (!m.find()) {
                return OptionalInt.empty();
            }
            int major = Integer.parseInt(m.group(1));
            return OptionalInt.of(major == 1 && m.group(2) != null ? Integer.parseInt(m.group(2)) : major);
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static Optional<Path> newestUnder(Path scanRoot, int minimum) {
        if (!Files.isDirectory(scanRoot)) {
            return Optional.empty();
        }
        List<Path> homes;
        try (Stream<Path> children = Files.list(scanRoot)) {
            homes = children.sorted().collect(Collectors.toList());
        } catch (IOException e) {
            return Optional.empty();
        }
        return homes.stream()
                .filter(home -> featureVersion(home).orElse(0) >= minimum)
                .max(Comparator.comparingInt(home -> featureVersion(home).orElse(0)));
    }
}
