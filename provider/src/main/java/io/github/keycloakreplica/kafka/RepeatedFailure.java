package io.github.keycloakreplica.kafka;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One failure that a background loop meets on every attempt while its cause lasts (the database away, a
 * topic missing). Said once per attempt, it buries the replica's other lines, the link's among them, in
 * exactly the hour they matter; so the log says it when it begins, again at most every {@link #REMINDER}
 * while it lasts, and once when it ends. Thread-safe: a snapshot reader serves the consumer's thread and
 * the operations' thread.
 */
final class RepeatedFailure {

    static final Duration REMINDER = Duration.ofMinutes(5);

    /**
     * A run of failures: since when, and how many attempts failed so far.
     *
     * @param first whether this failure began the run
     */
    record Run(Instant since, int failures, boolean first) {

        Duration lasting(Instant now) {
            return Duration.between(since, now);
        }

        /** Empty for the run's first line; for a reminder, how long and how often it has failed. */
        String sofar(Instant now) {
            return first ? "" : " (still failing after " + Durations.words(lasting(now)) + ", " + failures + " attempts)";
        }
    }

    private final Duration reminder;
    private Instant since;
    private Instant lastSaid;
    private int failures;

    RepeatedFailure() {
        this(REMINDER);
    }

    RepeatedFailure(Duration reminder) {
        this.reminder = reminder;
    }

    /** An attempt failed; the run, when the log should say so now (its first failure, or a reminder is due). */
    synchronized Optional<Run> failed(Instant now) {
        failures++;
        if (since == null) {
            since = now;
            lastSaid = now;
            return Optional.of(new Run(since, failures, true));
        }
        if (Duration.between(lastSaid, now).compareTo(reminder) >= 0) {
            lastSaid = now;
            return Optional.of(new Run(since, failures, false));
        }
        return Optional.empty();
    }

    /** An attempt went through; the run it ended, if one was under way (the log said when it began). */
    synchronized Optional<Run> succeeded() {
        if (since == null) {
            return Optional.empty();
        }
        Run ended = new Run(since, failures, false);
        since = null;
        lastSaid = null;
        failures = 0;
        return Optional.of(ended);
    }
}
