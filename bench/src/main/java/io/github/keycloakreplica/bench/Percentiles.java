package io.github.keycloakreplica.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Durations in nanoseconds, summarized in milliseconds by nearest rank. */
final class Percentiles {

    private final List<Long> sorted;

    Percentiles(List<Long> nanos) {
        this.sorted = new ArrayList<>(nanos);
        this.sorted.sort(null);
    }

    int count() {
        return sorted.size();
    }

    /** Nearest rank: the smallest duration that at least {@code percent} % of them did not exceed. */
    double millis(double percent) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1_000_000.0;
    }

    double maxMillis() {
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1) / 1_000_000.0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "n=%d p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", count(), millis(50), millis(90),
                millis(99), maxMillis());
    }
}
