package io.github.keycloakreplica.stack;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A KRaft broker and controller in one JVM, node 1, on two free loopback ports. Its data lives in
 * {@code dir} and survives {@link #stop()} and {@link #kill()}, so a restart finds its topics and offsets.
 */
public final class ProcessKafkaBroker implements KafkaBroker {

    private static final System.Logger LOG = System.getLogger(ProcessKafkaBroker.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final String classpath;
    private final int port;
    private final int controllerPort;
    /** Not guarded by the start lock: a kill (or the JVM exit hook) must not wait for a start to finish. */
    private final ServerProcess process = new ServerProcess(this);

    /** A broker in {@code dir} on the classpath the build recorded. */
    public ProcessKafkaBroker(Path dir) {
        this(dir, StackArtifacts.load().brokerClasspath());
    }

    public ProcessKafkaBroker(Path dir, String classpath) {
        this.dir = dir.toAbsolutePath();
        this.classpath = classpath;
        this.port = FreePorts.next();
        this.controllerPort = FreePorts.next();
    }

    @Override
    public String bootstrapServers() {
        return FreePorts.LOOPBACK.getHostAddress() + ":" + port;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        long started = System.nanoTime();
        Process launched;
        try {
            Files.createDirectories(dir);
            Path config = writeConfig();
            if (!Files.exists(dataDir().resolve("meta.properties"))) {
                format(config);
            }
            Files.writeString(logFile(), "---- starting broker at " + Instant.now() + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process.launching();
            launched = launch("kafka.Kafka", config.toString());
            process.launched(launched);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String what = "Kafka broker " + bootstrapServers();
        try {
            // A plain connect first: an admin client logs a warning for every refused connection.
            Await.ready(what, launched, logFile(), START_TIMEOUT, this::listening);
            try (Admin admin = Admin.create(adminConfig())) {
                Await.ready(what, launched, logFile(), START_TIMEOUT,
                        () -> !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty());
            }
        } catch (RuntimeException e) {
            kill();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "Kafka broker ready at {0} in {1} ms", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
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
        return dir.resolve("broker.log");
    }

    @Override
    public void createTopics(Map<String, Integer> partitionsByName) {
        List<NewTopic> topics = new ArrayList<>();
        partitionsByName.forEach((name, partitions) -> topics.add(new NewTopic(name, partitions, (short) 1)));
        create(topics);
    }

    @Override
    public void createTopic(String name, int partitions, Map<String, String> config) {
        create(List.of(new NewTopic(name, partitions, (short) 1).configs(config)));
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public String toString() {
        return "Kafka broker " + bootstrapServers() + " in " + dir;
    }

    private void create(List<NewTopic> topics) {
        try (Admin admin = Admin.create(adminConfig())) {
            for (var result : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new StackException("Could not create topic " + result.getKey() + " on "
                                + bootstrapServers() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new StackException("Creating topics on " + bootstrapServers() + " took longer than 30 s", e);
        }
    }

    private boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(FreePorts.LOOPBACK, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Path dataDir() {
        return dir.resolve("data");
    }

    private Properties adminConfig() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 250);
        return config;
    }

    private Path writeConfig() throws IOException {
        String host = FreePorts.LOOPBACK.getHostAddress();
        Properties server = new Properties();
        server.put("process.roles", "broker,controller");
        server.put("node.id", "1");
        server.put("controller.quorum.voters", "1@" + host + ":" + controllerPort);
        server.put("listeners", "PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort);
        server.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
        server.put("controller.listener.names", "CONTROLLER");
        server.put("inter.broker.listener.name", "PLAINTEXT");
        server.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        server.put("log.dirs", dataDir().toString());
        // One node: every internal topic can only have one replica.
        server.put("offsets.topic.replication.factor", "1");
        server.put("transaction.state.log.replication.factor", "1");
        server.put("transaction.state.log.min.isr", "1");
        server.put("share.coordinator.state.topic.replication.factor", "1");
        server.put("share.coordinator.state.topic.min.isr", "1");
        // Few internal partitions: creating the default 50 makes a test's first consumer group wait seconds.
        server.put("offsets.topic.num.partitions", "1");
        server.put("transaction.state.log.num.partitions", "1");
        // Tests start consumers and expect assignments at once, not after the production 3 s delay.
        server.put("group.initial.rebalance.delay.ms", "0");
        // The project creates its topics itself; a typo in a topic name must fail, not create a topic.
        server.put("auto.create.topics.enable", "false");
        server.put("num.partitions", "1");
        Path file = dir.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file)) {
            server.store(out, "Written by " + getClass().getName());
        }
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.stdout.ref = STDOUT",
                "appender.stdout.type = Console",
                "appender.stdout.name = STDOUT",
                "appender.stdout.layout.type = PatternLayout",
                "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
                // The broker's per-request and state-change chatter buries what explains a failure.
                "logger.state.name = state.change.logger",
                "logger.state.level = WARN",
                "logger.request.name = kafka.request.logger",
                "logger.request.level = WARN",
                ""));
        return file;
    }

    /** Stamps the data directory with a new cluster id; a KRaft broker does not start on unformatted storage. */
    private void format(Path config) throws IOException {
        Process formatter = launch("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                "-c", config.toString());
        try {
            if (!formatter.waitFor(60, TimeUnit.SECONDS)) {
                ProcessTree.kill(formatter);
                throw new StackException("Formatting Kafka storage took longer than 60 s:\n"
                        + LogTail.tail(logFile(), Await.LOG_LINES));
            }
        } catch (InterruptedException e) {
            ProcessTree.kill(formatter);
            Thread.currentThread().interrupt();
            throw new StackException("Interrupted while formatting Kafka storage", e);
        }
        if (formatter.exitValue() != 0) {
            throw new StackException("Formatting Kafka storage failed with exit code " + formatter.exitValue()
                    + ":\n" + LogTail.tail(logFile(), Await.LOG_LINES));
        }
    }

    private Process launch(String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"),
                "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        Process started = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(Redirect.appendTo(logFile().toFile()))
                .start();
        started.getOutputStream().close();
        return started;
    }
}
