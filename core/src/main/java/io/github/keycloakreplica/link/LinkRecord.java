package io.github.keycloakreplica.link;

import java.util.Map;

/**
 * Everything a replica site keeps about one component's link, shared by all its nodes through the
 * database: the state with its cause, what the newest heartbeat said and when it was read (the
 * replica's own clock), and when the replica last had applied everything a heartbeat named.
 *
 * @param state               the link state
 * @param since               when it was entered
 * @param cause               why
 * @param healthySince        since when the link has been healthy without a break (null: not healthy)
 * @param lastHeartbeatAt     when the newest heartbeat that was the newest in its partition was read
 * @param heartbeatInterval   the interval that heartbeat announced, in milliseconds
 * @param heartbeatPositions  the delta positions that heartbeat named
 * @param coveredHeartbeatAt  when the newest heartbeat whose positions the replica had applied was read
 * @param createdAt           when this component first looked at its link
 * @param driftExceeded       whether drift was beyond the drift window at the last look
 */
public record LinkRecord(LinkState state, long since, String cause, Long healthySince, Long lastHeartbeatAt,
                         Long heartbeatInterval, Map<String, Map<Integer, Long>> heartbeatPositions, Long coveredHeartbeatAt,
                         long createdAt, boolean driftExceeded) {

    public LinkRecord {
        heartbeatPositions = heartbeatPositions == null ? null : Map.copyOf(heartbeatPositions);
    }

    /**
     * How far the replica's applied state may be behind the upstream: the time since it last had applied
     * everything a heartbeat named (since the component first looked, when it never had). While the link
     * is down no heartbeat arrives, so drift grows with the severance.
     */
    public long driftMillis(long now) {
        return driftMillis(now, coveredHeartbeatAt, createdAt);
    }

    static long driftMillis(long now, Long coveredHeartbeatAt, long createdAt) {
        return Math.max(0, now - (coveredHeartbeatAt != null ? coveredHeartbeatAt : createdAt));
    }

    public Long heartbeatAgeMillis(long now) {
        return lastHeartbeatAt == null ? null : Math.max(0, now - lastHeartbeatAt);
    }
}
