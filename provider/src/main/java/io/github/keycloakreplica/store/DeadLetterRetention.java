package io.github.keycloakreplica.store;

import java.time.Duration;

/**
 * How long and how many dead letters a component keeps; the oldest go first. A producer gone wrong can
 * write a dead letter per record for as long as nobody notices; without a bound they would fill the
 * database of the very site they are meant to help.
 */
public record DeadLetterRetention(Duration age, int count) {

    public static final Duration DEFAULT_AGE = Duration.ofDays(30);
    public static final int DEFAULT_COUNT = 10_000;
    public static final DeadLetterRetention DEFAULT = new DeadLetterRetention(DEFAULT_AGE, DEFAULT_COUNT);

    public static final long MIN_DAYS = 1;
    public static final long MAX_DAYS = 3_650;
    public static final int MIN_COUNT = 100;
    public static final int MAX_COUNT = 1_000_000;

    /**
     * From the component's settings (blank: the default).
     *
     * @throws IllegalArgumentException naming the setting and its range
     */
    public static DeadLetterRetention parse(String days, String count) {
        Duration age = days == null || days.isBlank() ? DEFAULT_AGE : Duration.ofDays(bounded("Dead-letter retention (days)", days, MIN_DAYS, MAX_DAYS));
        int kept = count == null || count.isBlank() ? DEFAULT_COUNT : (int) bounded("Dead letters kept at most", count, MIN_COUNT, MAX_COUNT);
        return new DeadLetterRetention(age, kept);
    }

    private static long bounded(String setting, String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(setting + " must be a whole number from " + min + " to " + max + ".");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(setting + " must be from " + min + " to " + max + ", was " + value + ".");
        }
        return value;
    }
}
