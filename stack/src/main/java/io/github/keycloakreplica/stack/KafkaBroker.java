package io.github.keycloakreplica.stack;

import java.nio.file.Path;
import java.util.Map;

/**
 * A single-node Kafka cluster for tests. {@link #stop()} and {@link #start()} again keep the address and the
 * data, so a test can cut the replicas' link to Kafka and restore it.
 */
public interface KafkaBroker extends AutoCloseable {

    /** {@code host:port} for {@code bootstrap.servers}; fixed for the life of this handle. */
    String bootstrapServers();

    /** Starts the broker and returns once clients can use it. Does nothing if it runs already. */
    void start();

    /** Graceful shutdown; bounded, then forced. */
    void stop();

    /**
     * Abrupt death, as a crash: SIGKILL. A {@link #start()} after it takes some seconds longer than after
     * {@link #stop()}: the controller first waits out the dead broker's session ({@code broker.session.timeout.ms},
     * 9 s), as a real cluster would.
     */
    void kill();

    boolean isRunning();

    /**
     * Freezes the broker (SIGSTOP): connections stay open and requests wait, unanswered, until {@link #resume()}, as
     * with a broker that hangs. A stop or close resumes it first.
     */
    void pause();

    /** Lets a paused broker go on (SIGCONT); it answers what waited meanwhile. */
    void resume();

    Path logFile();

    /**
     * Creates topics with the given partition counts (replication factor 1) and default configuration;
     * topics that exist already are left as they are.
     */
    void createTopics(Map<String, Integer> partitionsByName);

    /** Creates one topic, with topic-level configuration such as {@code cleanup.policy=compact}. */
    void createTopic(String name, int partitions, Map<String, String> config);

    /** Stops the broker if it runs. */
    @Override
    void close();
}
