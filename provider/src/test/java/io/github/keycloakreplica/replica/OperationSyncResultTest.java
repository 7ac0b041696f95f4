package io.github.keycloakreplica.replica;

import io.github.keycloakreplica.store.ReplicaOperationEntity;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class OperationSyncResultTest {

    private static ReplicaOperationEntity operation(String id, String state) {
        ReplicaOperationEntity o = new ReplicaOperationEntity();
        o.setId(id);
        o.setState(state);
        return o;
    }

    @Test
    void theConsoleIsToldWhatStartedAndWhatTheLastOneDid() {
        ReplicaOperationEntity last = operation("op-1", "SUCCEEDED");
        last.setEndedAt(Instant.parse("2026-11-23T10:42:00Z").toEpochMilli());
        last.setProcessed(3);
        last.setAdded(2);
        last.setUpdated(1);

        OperationSyncResult result = OperationSyncResult.started(operation("op-2", "QUEUED"), true, last, "acme");

        // Ignored is the one kind of result whose status the console shows as it is.
        assertThat(result.isIgnored()).isTrue();
        assertThat(result.getStatus()).isEqualTo("Full sync started as operation op-2: it runs in the background and commits in batches; "
                + "follow it at GET /admin/realms/acme/replica/operations/op-2. The last one, op-1, succeeded at 2026-11-23 10:42 UTC: "
                + "3 subjects, 2 users added, 1 updated, 0 removed, 0 failed");
        assertThat(OperationSyncResult.started(operation("op-2", "QUEUED"), true, null, "acme").getStatus()).doesNotContain("last one");
    }

    @Test
    void aSecondClickJoinsTheRunningOne() {
        ReplicaOperationEntity running = operation("op-3", "RUNNING");
        running.setProcessed(500);

        assertThat(OperationSyncResult.started(running, false, null, "acme").getStatus())
                .startsWith("A full sync is already running (operation op-3, 500 subjects so far");
        assertThat(OperationSyncResult.continuous().getStatus()).contains("arrive continuously");
    }
}
