package io.github.keycloakreplica.kafka;

import java.time.Duration;

/** How long something has lasted, in the words a log line reads well with: "45 s", "12 min", "3 h 5 min". */
final class Durations {

    private Durations() {
    }

    static String words(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 120) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        if (minutes < 120) {
            return minutes + " min";
        }
        return minutes / 60 + " h " + minutes % 60 + " min";
    }
}
