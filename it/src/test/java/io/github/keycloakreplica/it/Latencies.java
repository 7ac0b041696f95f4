package io.github.keycloakreplica.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The latencies of one kind of request in one phase of a run, with their median and 90th percentile. */
record Latencies(String what, List<Long> nanos) {

    Latencies {
        if (nanos.isEmpty()) {
            throw new IllegalArgumentException("no latencies of " + what);
        }
        nanos = List.copyOf(nanos);
    }

    double medianMillis() {
        return percentileMillis(50);
    }

    double p90Millis() {
        return percentileMillis(90);
    }

    /** Nearest rank: the smallest latency that at least {@code percent} % of the requests did not exceed. */
    double percentileMillis(int percent) {
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1)) / 1_000_000.0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: n=%d median %.1f ms, p90 %.1f ms", what, nanos.size(), medianMillis(), p90Millis());
    }
}
