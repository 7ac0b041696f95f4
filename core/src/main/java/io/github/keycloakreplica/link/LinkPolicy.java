package io.github.keycloakreplica.link;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings that move a replica's link state and drift contract.
 *
 * @param severanceThreshold  how old the newest heartbeat may get before the link counts as cut
 * @param stabilizationWindow how long a state is held at least before the link may change it again
 *                            (leaving CONNECTED excepted: that happens at once; and the SEVERED a starting
 *                            node opens in, which no cut caused), and how long the link must stay healthy
 *                            before RECOVERING becomes CONNECTED
 * @param driftWindow         how far behind the upstream the replica may fall while connected before
 *                            that is reported as a warning
 */
public record LinkPolicy(Duration severanceThreshold, Duration stabilizationWindow, Duration driftWindow) {

    public static final Duration DEFAULT_SEVERANCE_THRESHOLD = Duration.ofSeconds(15);
    public static final Duration DEFAULT_STABILIZATION_WINDOW = Duration.ofSeconds(30);
    public static final Duration DEFAULT_DRIFT_WINDOW = Duration.ofSeconds(60);

    public LinkPolicy {
        Objects.requireNonNull(severanceThreshold, "severanceThreshold");
        Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
        Objects.requireNonNull(driftWindow, "driftWindow");
        if (severanceThreshold.isNegative() || severanceThreshold.isZero() || stabilizationWindow.isNegative()
                || driftWindow.isNegative() || driftWindow.isZero()) {
            throw new IllegalArgumentException("link settings must be positive durations: " + severanceThreshold + ", "
                    + stabilizationWindow + ", " + driftWindow);
        }
    }

    public static LinkPolicy defaults() {
        return new LinkPolicy(DEFAULT_SEVERANCE_THRESHOLD, DEFAULT_STABILIZATION_WINDOW, DEFAULT_DRIFT_WINDOW);
    }
}
