package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Keycloak distribution in its own home under the work directory, run as {@code bin/kc.sh start-dev} on two
 * free loopback ports, with our jars in {@code providers/} and the spec's realm files imported at first start.
 */
public final class ProcessKeycloakServer implements KeycloakServer {

    private static final System.Logger LOG = System.getLogger(ProcessKeycloakServer.class.getName());
    /** Environment that would silently reconfigure Keycloak or its JVM behind the spec's back. */
    private static final Set<String> INHERITED_ENV_DROPPED = Set.of("JAVA", "JAVA_OPTS", "JAVA_OPTS_APPEND",
            "JAVA_ADD_OPENS", "JAVA_LOCALE", "DEBUG", "DEBUG_PORT", "DEBUG_SUSPEND", "PRINT_ENV");

    private final KeycloakServerSpec spec;
    private final Path workDir;
    private final Path home;
    private final int httpPort;
    private final int managementPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Not guarded by the start lock: a kill (or the JVM exit hook) must not wait for a start to finish. */
    private final ServerProcess process = new ServerProcess(this);
    private boolean startedBefore;

    /** A server whose home will be {@code <workDir>/keycloak/<name>}; nothing happens before {@link #start()}. */
    public ProcessKeycloakServer(KeycloakServerSpec spec, Path workDir) {
        this.spec = spec;
        this.workDir = workDir.toAbsolutePath();
        this.home = this.workDir.resolve("keycloak").resolve(spec.name());
        this.httpPort = FreePorts.next();
        this.managementPort = FreePorts.next();
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public URI baseUrl() {
        return URI.create("http://" + FreePorts.LOOPBACK.getHostAddress() + ":" + httpPort);
    }

    @Override
    public URI managementUrl() {
        return URI.create("http://" + FreePorts.LOOPBACK.getHostAddress() + ":" + managementPort);
    }

    @Override
    public String adminUsername() {
        return spec.adminUsername();
    }

    @Override
    public String adminPassword() {
        return spec.adminPassword();
    }

    public KeycloakServerSpec spec() {
        return spec;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        long started = System.nanoTime();
        try {
            attemptStart();
        } catch (StackException e) {
            if (!KeycloakBuildRace.failedWith(String.valueOf(e.getMessage()))) {
                throw e;
            }
            LOG.log(System.Logger.Level.WARNING, "Keycloak ''{0}'': its build failed with Keycloak 26.7''s known race between "
                    + "build steps (keycloak/keycloak#47482); starting it once more", name());
            attemptStart();
        }
        LOG.log(System.Logger.Level.INFO, "Keycloak ''{0}'' ready at {1} in {2} ms ({3})", name(), baseUrl(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), startedBefore ? "restart" : "first start");
        startedBefore = true;
    }

    private void attemptStart() {
        Process launched;
        Path javaHome = JavaHomes.forKeycloak();
        try {
            if (!Files.isRegularFile(home.resolve("bin/kc.sh"))) {
                install();
            }
            Files.writeString(logFile(), "---- starting " + name() + " at " + Instant.now() + " with " + javaHome + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process.launching();
            launched = launch(javaHome);
            process.launched(launched);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start Keycloak '" + name() + "' in " + home, e);
        }
        HttpRequest ready = HttpRequest.newBuilder(managementUrl().resolve("/health/ready"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            Await.ready("Keycloak '" + name() + "' (" + baseUrl() + ")", launched, logFile(), spec.startTimeout(),
                    () -> http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
    }

    @Override
    public void stop() {
        process.stop();
    }

    @Override
    public void kill() {
        process.kill();
    }

    @Override
    public void pause() {
        process.pause();
    }

    @Override
    public void resume() {
        process.resume();
    }

    @Override
    public boolean isRunning() {
        return process.isRunning();
    }

    @Override
    public Path logFile() {
        return home.resolve("server.log");
    }

    @Override
    public Path home() {
        return home;
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "Keycloak '" + name() + "' " + baseUrl() + " in " + home;
    }

    /** Distribution, then our jars, then the realm files; only once, so a restart keeps what the server wrote. */
    private void install() throws IOException {
        Files.createDirectories(home.getParent());
        Distribution.install(spec.distZip(), workDir.resolve(".dist"), home);
        Path providers = Files.createDirectories(home.resolve("providers"));
        for (Path jar : filesIn(spec.providersDir())) {
            Files.copy(jar, providers.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        Path imports = Files.createDirectories(home.resolve("data").resolve("import"));
        for (Path realm : spec.realmImports()) {
            Files.copy(realm, imports.resolve(RealmImportFile.nameFor(realm)), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private Process launch(Path javaHome) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/kc.sh").toString());
        command.addAll(spec.arguments(httpPort, managementPort));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile().toFile()));
        environment(builder.environment(), javaHome);
        Process launched = builder.start();
        // Keycloak reads nothing from stdin; end it rather than leave a pipe nobody writes to.
        launched.getOutputStream().close();
        return launched;
    }

    private void environment(Map<String, String> env, Path javaHome) {
        env.keySet().removeIf(key -> key.startsWith("KC_") || key.startsWith("QUARKUS_")
                || INHERITED_ENV_DROPPED.contains(key));
        env.put("JAVA_HOME", javaHome.toString());
        env.put("JAVA_OPTS_KC_HEAP", "-Xms128m -Xmx1g");
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", spec.adminUsername());
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", spec.adminPassword());
        env.putAll(spec.env());
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }
}
