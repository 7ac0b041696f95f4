package io.github.keycloakreplica.admin;

import io.github.keycloakreplica.admin.ReplicaOperationsResource.StartRequest;
import io.github.keycloakreplica.sync.OperationKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReplicaOperationsResourceTest {

    private static StartRequest full(String reason, String idempotencyKey) {
        return new StartRequest("full", reason, idempotencyKey, null, null, null, null, null);
    }

    @Test
    void aReasonOrKeyLongerThanItsColumnIsABadRequestNamingFieldAndLimit() {
        assertThat(ReplicaOperationsResource.limitProblems(full("r".repeat(1_500), "k".repeat(300))))
                .containsExactly("reason is at most 1,024 characters; this one has 1,500.",
                        "idempotencyKey is at most 255 characters; this one has 300.");
        assertThat(ReplicaOperationsResource.limitProblems(full("r".repeat(1_024), "k".repeat(255)))).isEmpty();
    }

    @Test
    void everyTextOfTheRequestIsBounded() {
        StartRequest request = new StartRequest("f".repeat(33), "why", null, "c".repeat(37), List.of("s".repeat(256)), "u".repeat(256),
                "a".repeat(33), null);

        assertThat(ReplicaOperationsResource.limitProblems(request)).containsExactly(
                "kind is at most 32 characters; this one has 33.",
                "componentId is at most 36 characters; this one has 37.",
                "subjects[0] is at most 255 characters; this one has 256.",
                "username is at most 255 characters; this one has 256.",
                "action is at most 32 characters; this one has 33.");
    }

    @Test
    void aNulThatPostgresqlCannotStoreIsRefusedBeforeTheDatabase() {
        assertThat(ReplicaOperationsResource.limitProblems(new StartRequest("targeted", "why", "key\u0000x", null, List.of("a\u0000b"),
                null, null, null))).hasSize(2).allMatch(p -> p.contains("U+0000"));
    }

    @Test
    void aDryRunOrActionWithAFullSyncIsRefusedNotIgnored() {
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.FULL,
                new StartRequest("full", "why", null, null, null, null, null, true)))
                .isEqualTo("action and dryRun are for an 'orphans' reconciliation; a 'full' sync has no dry run: it changes users as it goes.");
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.TARGETED,
                new StartRequest("targeted", "why", null, null, List.of("s"), null, "remove", null))).startsWith("action and dryRun");
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.FULL,
                new StartRequest("full", "why", null, null, null, null, null, false))).as("false asks for nothing").isNull();
    }

    @Test
    void subjectsWithAFullSyncOrAReconciliationAreRefused() {
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.FULL,
                new StartRequest("full", "why", null, null, List.of("s"), null, null, null)))
                .isEqualTo("subjects and username are for a 'targeted' sync; a 'full' sync reads every subject.");
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.ORPHANS,
                new StartRequest("orphans", "why", null, null, null, "alice", null, true))).startsWith("subjects and username");
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.ORPHANS,
                new StartRequest("orphans", "why", null, null, List.of(), " ", "remove", true))).isNull();
        assertThat(ReplicaOperationsResource.misplacedFields(OperationKind.TARGETED,
                new StartRequest("targeted", "why", null, null, List.of("s"), "alice", null, null))).isNull();
    }
}
