package io.github.keycloakreplica.link;

import java.util.Locale;

/**
 * The link state machine of one replica component, as a pure function of what was observed and when
 * (all times are the replica's own clock, in epoch milliseconds; the upstream's wall time is never used).
 *
 * <ul>
 *   <li>The link is <em>healthy</em> when the broker answers and the newest heartbeat arrived within the
 *       severance threshold; two heartbeats read further apart than the threshold mean it was not, in
 *       between, even when no look fell into that gap.</li>
 *   <li>CONNECTED becomes SEVERED the moment the link is not healthy: credential writes fail closed at once.</li>
 *   <li>Every other change waits until the current state has been held for a whole stabilization window:
 *       SEVERED becomes RECOVERING once healthy; RECOVERING becomes CONNECTED once the link has been
 *       healthy for a whole window and the replica has applied what a heartbeat received since then
 *       names, or SEVERED if the link is down again.</li>
 *   <li>A node that starts (a new component, or a restart) knows nothing of the link until it reads a
 *       heartbeat, and what it finds was not set by anybody who saw the link since. A stored CONNECTED it
 *       cannot vouch for (the newest heartbeat is older than the threshold, or the first one it reads comes
 *       more than the threshold after it) is left at once: for SEVERED while nothing fresh has arrived, for
 *       RECOVERING when a fresh heartbeat just did. The SEVERED it opens in records that nothing is known yet,
 *       not a cut anybody saw, so there is no flap to damp: it is not held, and becomes RECOVERING at the first
 *       healthy look. A node that starts on a healthy link with nothing to catch up is therefore CONNECTED one
 *       window after its first heartbeat, not two.</li>
 * </ul>
 *
 * A link that flaps therefore changes state at most once per stabilization window, and never reaches
 * CONNECTED, which needs a whole window of health, at start-up as at any other time.
 */
public final class LinkMonitor {

    private LinkMonitor() {
    }

    /**
     * What one look at the link saw.
     *
     * @param now                  when
     * @param lastHeartbeatAt      when the newest heartbeat that was the newest in its partition was read (null: none yet)
     * @param brokerReachable      whether the Kafka client has a connection to the broker
     * @param coveredHeartbeatAt   when the newest heartbeat whose positions the replica has applied was read (null: none)
     * @param dipped               whether, since the last look, two heartbeats were read further apart than the
     *                             severance threshold: the link was down in between although no look saw it
     * @param opening              whether the look is part of a node's start: no heartbeat has been read since the
     *                             node started, and the current state is one it opened in or a CONNECTED from before
     *                             its start; such a state says nothing is known yet, not that a cut was seen
     */
    public record Observation(long now, Long lastHeartbeatAt, boolean brokerReachable, Long coveredHeartbeatAt, boolean dipped,
                              boolean opening) {

        public Observation(long now, Long lastHeartbeatAt, boolean brokerReachable, Long coveredHeartbeatAt, boolean dipped) {
            this(now, lastHeartbeatAt, brokerReachable, coveredHeartbeatAt, dipped, false);
        }

        public Observation(long now, Long lastHeartbeatAt, boolean brokerReachable, Long coveredHeartbeatAt) {
            this(now, lastHeartbeatAt, brokerReachable, coveredHeartbeatAt, false, false);
        }
    }

    /** The durable part of the state: which state, since when, and since when the link has been healthy. */
    public record Status(LinkState state, long since, Long healthySince) {
    }

    /** The status after a look; {@code cause} is set when the state changed. */
    public record Decision(Status status, LinkState previous, String cause) {

        public boolean changed() {
            return cause != null;
        }
    }

    /** The first status of a component that has none: it has confirmed nothing yet, so it is never CONNECTED. */
    public static Decision initial(Observation seen, LinkPolicy policy) {
        boolean healthy = healthy(seen, policy);
        Status status = new Status(healthy ? LinkState.RECOVERING : LinkState.SEVERED, seen.now(), healthy ? seen.now() : null);
        String cause = "replica started: " + (healthy ? "heartbeats are fresh; catching up" : unhealthyCause(seen, policy));
        return new Decision(status, null, cause);
    }

    public static Decision decide(Status current, Observation seen, LinkPolicy policy) {
        boolean healthy = healthy(seen, policy);
        // A dip between two looks breaks the run of health as a look that saw it would have.
        Long healthySince = !healthy ? null
                : seen.dipped() ? seen.lastHeartbeatAt()
                : current.healthySince() != null ? current.healthySince() : seen.now();
        long held = seen.now() - current.since();
        long window = policy.stabilizationWindow().toMillis();
        Status same = new Status(current.state(), current.since(), healthySince);
        switch (current.state()) {
            case CONNECTED -> {
                if (!healthy) {
                    return change(current, LinkState.SEVERED, seen, healthySince, unhealthyCause(seen, policy));
                }
                if (seen.dipped() && seen.opening()) {
                    return change(current, LinkState.RECOVERING, seen, healthySince, "this node started and reads fresh heartbeats, "
                            + "but none was read for longer than the severance threshold (" + seconds(policy.severanceThreshold().toMillis())
                            + ") before; catching up before the link counts as connected");
                }
                if (seen.dipped()) {
                    return change(current, LinkState.SEVERED, seen, healthySince, "heartbeats stopped for longer than the "
                            + "severance threshold (" + seconds(policy.severanceThreshold().toMillis()) + ") and came back");
                }
            }
            case SEVERED -> {
                // The window damps a link seen going down and up; the state a node opens in saw neither.
                if (healthy && seen.opening()) {
                    return change(current, LinkState.RECOVERING, seen, healthySince,
                            "heartbeats are fresh since this node started; catching up before the link counts as connected");
                }
                if (healthy && held >= window) {
                    return change(current, LinkState.RECOVERING, seen, healthySince,
                            "heartbeats are fresh and the broker answers again; catching up on what was published meanwhile");
                }
            }
            case RECOVERING -> {
                if (held < window) {
                    break;
                }
                if (!healthy) {
                    return change(current, LinkState.SEVERED, seen, healthySince, unhealthyCause(seen, policy));
                }
                boolean stable = seen.now() - healthySince >= window;
                boolean caughtUp = seen.coveredHeartbeatAt() != null && seen.coveredHeartbeatAt() >= healthySince;
                if (stable && caughtUp) {
                    return change(current, LinkState.CONNECTED, seen, healthySince, "caught up, and the link has been healthy for "
                            + seconds(seen.now() - healthySince) + " (stabilization window " + seconds(window) + ")");
                }
            }
        }
        return new Decision(same, current.state(), null);
    }

    public static boolean healthy(Observation seen, LinkPolicy policy) {
        return seen.brokerReachable() && seen.lastHeartbeatAt() != null
                && seen.now() - seen.lastHeartbeatAt() <= policy.severanceThreshold().toMillis();
    }

    private static Decision change(Status current, LinkState next, Observation seen, Long healthySince, String cause) {
        return new Decision(new Status(next, seen.now(), healthySince), current.state(), cause);
    }

    private static String unhealthyCause(Observation seen, LinkPolicy policy) {
        if (!seen.brokerReachable()) {
            return "the Kafka broker is unreachable";
        }
        if (seen.lastHeartbeatAt() == null) {
            return "no heartbeat received yet";
        }
        return "no heartbeat for " + seconds(seen.now() - seen.lastHeartbeatAt()) + " (severance threshold "
                + seconds(policy.severanceThreshold().toMillis()) + ")";
    }

    static String seconds(long millis) {
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
