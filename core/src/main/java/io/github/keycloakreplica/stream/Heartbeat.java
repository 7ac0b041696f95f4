package io.github.keycloakreplica.stream;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A schema-valid heartbeat of the authority: it is alive, sends one every {@code interval}, and had
 * published every delta below {@code positions} (topic, then partition, then the next offset) when it
 * sent this one. Not a {@link StreamEvent}: it is about the link, not about a subject.
 */
public record Heartbeat(Envelope envelope, Duration interval, Map<String, Map<Integer, Long>> positions) {

    public Heartbeat {
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(interval, "interval");
        positions = Map.copyOf(positions);
    }
}
