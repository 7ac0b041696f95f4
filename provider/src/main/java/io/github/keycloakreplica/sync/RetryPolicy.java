package io.github.keycloakreplica.sync;

import java.time.Duration;

/**
 * When a failed operation is tried again: after 5 s, then twice as long each time up to 5 minutes, at
 * most 5 attempts in all. A full sync is safe to repeat (fast-forward only sets what is newer), so a
 * broker or database outage costs time, not correctness.
 */
public record RetryPolicy(Duration first, Duration max, int attempts) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(Duration.ofSeconds(5), Duration.ofMinutes(5), 5);

    /** The wait before the next attempt after {@code failedAttempts} failures, or null when there is none. */
    public Duration backoffAfter(int failedAttempts) {
        if (failedAttempts >= attempts) {
            return null;
        }
        long millis = first.toMillis() << Math.min(failedAttempts - 1, 20);
        return Duration.ofMillis(Math.min(millis, max.toMillis()));
    }
}
