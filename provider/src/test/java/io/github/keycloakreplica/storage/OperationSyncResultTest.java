package io.github.keycloakreplica.storage;

import io.github.keycloakreplica.link.LinkPolicy;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import io.github.keycloakreplica.store.ReplicaOperationEntity;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OperationSyncResultTest {

    private static ReplicaOperationEntity operation(String id, String state) {
        ReplicaOperationEntity o = new ReplicaOperationEntity();
        o.setId(id);
        o.setState(state);
        o.setRequestedBy("alice");
        return o;
    }

    @Test
    void theConsoleIsToldWhatStartedForWhomAndWhatTheLastOneDid() {
        ReplicaOperationEntity last = operation("op-1", "SUCCEEDED");
        last.setEndedAt(Instant.parse("2026-11-23T10:42:00Z").toEpochMilli());
        last.setProcessed(3);
        last.setAdded(2);
        last.setUpdated(1);

        OperationSyncResult result = OperationSyncResult.started(operation("op-2", "QUEUED"), true, last, "acme");

        // Ignored is the one kind of result whose status the console shows as it is.
        assertThat(result.isIgnored()).isTrue();
        assertThat(result.getStatus()).isEqualTo("Full sync started as operation op-2 (requested by alice): it runs in the background and commits in batches; "
                + "follow it at GET /admin/realms/acme/replica/operations/op-2. The last one, op-1, succeeded at 2026-11-23 10:42 UTC: "
                + "3 subjects, 2 users added, 1 updated, 0 removed, 0 failed");
        assertThat(OperationSyncResult.started(operation("op-2", "QUEUED"), true, null, "acme").getStatus()).doesNotContain("last one");
    }

    @Test
    void aSecondClickJoinsTheRunningOne() {
        ReplicaOperationEntity running = operation("op-3", "RUNNING");
        running.setProcessed(500);

        assertThat(OperationSyncResult.started(running, false, null, "acme").getStatus())
                .startsWith("A full sync is already running (operation op-3, requested by alice, 500 subjects so far");
    }

    @Test
    void syncChangedUsersAnswersWithTheReplicasState() {
        long now = Instant.parse("2026-11-23T12:00:00Z").toEpochMilli();
        LinkPolicy policy = LinkPolicy.defaults();
        LinkRecord connected = new LinkRecord(LinkState.CONNECTED, Instant.parse("2026-11-23T11:00:00Z").toEpochMilli(), "heartbeats arrive",
                null, now - 500, 1000L, Map.of(), now - 1500, now - 3_600_000, false);
        ReplicaOperationEntity last = operation("op-1", "SUCCEEDED");
        last.setEndedAt(Instant.parse("2026-11-23T10:42:00Z").toEpochMilli());
        last.setProcessed(3);
        last.setAdded(2);

        String status = OperationSyncResult.continuous(connected, policy, 0L, 6, 1, last, true, "acme", now).getStatus();

        assertThat(status).isEqualTo("Changed users arrive continuously from the delta topics: there is nothing to start. "
                + "Link: CONNECTED since 2026-11-23 11:00 UTC, drift 1.5 s (window " + policy.driftWindow().toSeconds() + " s). "
                + "Incremental sync: 0 record(s) behind the newest heartbeat over 6 partition(s); 1 subject(s) with open gaps. "
                + "Last full sync succeeded at 2026-11-23 10:42 UTC: 3 subjects, 2 added, 0 updated, 0 failed. "
                + "Credential changes: sent to the authority. Details: GET /admin/realms/acme/replica/link, /lag, /gaps, /operations");

        LinkRecord severed = new LinkRecord(LinkState.SEVERED, Instant.parse("2026-11-23T11:58:00Z").toEpochMilli(),
                "no heartbeat for 30 s", null, now - 120_000, 1000L, Map.of(), now - 121_000, now - 3_600_000, true);
        assertThat(OperationSyncResult.continuous(severed, policy, null, 6, 0, null, true, "acme", now).getStatus())
                .contains("Link: SEVERED since 2026-11-23 11:58 UTC (no heartbeat for 30 s), drift 121.0 s (window")
                .contains(", exceeded)")
                .contains("no heartbeat yet to measure the lag by")
                .contains("refused while the link is not CONNECTED")
                .doesNotContain("Last full sync");
        assertThat(OperationSyncResult.continuous(null, policy, null, 0, 0, null, false, "acme", now).getStatus())
                .contains("Link: not looked at yet").contains("refused (no write path configured)");
    }
}
