package io.github.keycloakreplica.link;

import io.github.keycloakreplica.stream.Heartbeat;

import java.util.Map;

/**
 * One look at a component's link: folds in a heartbeat read since the last look, checks whether the
 * replica has applied what the newest heartbeat named, decides the state, and rates drift against the
 * drift window. Pure: the caller reads and writes the {@link LinkRecord} under a row lock, so the nodes
 * of a site take turns and agree on one record.
 */
public final class LinkTick {

    private LinkTick() {
    }

    /**
     * What a look did.
     *
     * @param record          the record to store
     * @param transition      the state change with its cause, or null
     * @param driftChanged    whether drift crossed the drift window in either direction (while connected)
     */
    public record Result(LinkRecord record, LinkMonitor.Decision transition, boolean driftChanged) {
    }

    /**
     * @param current     the stored record, or null when the component never looked before
     * @param now         the replica's clock
     * @param heartbeat   a heartbeat read since the last look that was the newest in its partition, or null
     * @param readAt      when that heartbeat was read
     * @param dipped      whether this node read two heartbeats further apart than the severance threshold since its last look
     * @param reachable   whether this node's Kafka client has a connection to the broker
     * @param applied     the positions the replica has applied and stored, by topic and partition
     * @param startedAt   when this node began watching this component's link (Keycloak's start, or the component's)
     */
    public static Result tick(LinkRecord current, long now, Heartbeat heartbeat, long readAt, boolean dipped, boolean reachable,
                              Map<String, Map<Integer, Long>> applied, long startedAt, LinkPolicy policy) {
        Long lastHeartbeatAt = current == null ? null : current.lastHeartbeatAt();
        Long interval = current == null ? null : current.heartbeatInterval();
        Map<String, Map<Integer, Long>> named = current == null ? null : current.heartbeatPositions();
        boolean unheard = unheard(current, startedAt);
        boolean opening = opening(current, startedAt);
        boolean gap = dipped;
        if (heartbeat != null && (lastHeartbeatAt == null || readAt >= lastHeartbeatAt)) {
            // This node judges the gaps between its own reads; the one since a heartbeat read before it started
            // (by itself before a restart, or by another node) only the record shows.
            gap |= unheard && lastHeartbeatAt != null && readAt - lastHeartbeatAt > policy.severanceThreshold().toMillis();
            lastHeartbeatAt = readAt;
            interval = heartbeat.interval().toMillis();
            named = heartbeat.positions();
        }
        Long covered = current == null ? null : current.coveredHeartbeatAt();
        if (named != null && covers(applied, named)) {
            covered = lastHeartbeatAt;
        }
        long createdAt = current == null ? now : current.createdAt();

        LinkMonitor.Observation seen = new LinkMonitor.Observation(now, lastHeartbeatAt, reachable, covered, gap, opening);
        LinkMonitor.Decision decision = current == null
                ? LinkMonitor.initial(seen, policy)
                : LinkMonitor.decide(new LinkMonitor.Status(current.state(), current.since(), current.healthySince()), seen, policy);
        LinkMonitor.Status status = decision.status();
        String cause = decision.changed() ? decision.cause() : current.cause();

        boolean exceeded = status.state() == LinkState.CONNECTED
                && LinkRecord.driftMillis(now, covered, createdAt) > policy.driftWindow().toMillis();
        LinkRecord next = new LinkRecord(status.state(), status.since(), cause, status.healthySince(), lastHeartbeatAt, interval,
                named, covered, createdAt, exceeded);
        boolean driftChanged = current != null && exceeded != current.driftExceeded();
        return new Result(next, decision.changed() ? decision : null, driftChanged);
    }

    /**
     * Whether a look is part of this node's start, judged on the record as it was before the look: no node has read a
     * heartbeat since this one started, and the stored state is one entered since then or a CONNECTED from before,
     * which the node must prove again. A SEVERED or RECOVERING entered before the start recalls what somebody saw, so its window still holds;
     * and once a heartbeat has been read since the start, the link is in view and what it does is damped as usual.
     */
    static boolean opening(LinkRecord current, long startedAt) {
        return current != null && unheard(current, startedAt) && (current.state() == LinkState.CONNECTED || current.since() >= startedAt);
    }

    /** Whether no node has read a heartbeat since this node started (its own reads all come after that moment). */
    private static boolean unheard(LinkRecord current, long startedAt) {
        return current == null || current.lastHeartbeatAt() == null || current.lastHeartbeatAt() <= startedAt;
    }

    /** Whether every partition a heartbeat named has been applied up to the offset it named. */
    static boolean covers(Map<String, Map<Integer, Long>> applied, Map<String, Map<Integer, Long>> named) {
        for (Map.Entry<String, Map<Integer, Long>> topic : named.entrySet()) {
            Map<Integer, Long> done = applied.getOrDefault(topic.getKey(), Map.of());
            for (Map.Entry<Integer, Long> partition : topic.getValue().entrySet()) {
                if (partition.getValue() > 0 && done.getOrDefault(partition.getKey(), 0L) < partition.getValue()) {
                    return false;
                }
            }
        }
        return true;
    }
}
