package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.store.PartitionPosition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BatchOutcomesTest {

    private static LogLine line(String eventId, Outcome outcome) {
        return new LogLine(eventId, "replica.identity.upserted", "email v1", outcome, null, "identity-0@1");
    }

    @Test
    void theResultCountsEachOutcomeAndCarriesThePositions() {
        BatchOutcomes outcomes = new BatchOutcomes();
        outcomes.count(Outcome.APPLIED);
        outcomes.count(Outcome.APPLIED);
        outcomes.count(Outcome.DUPLICATE);
        List<PartitionPosition> positions = List.of(new PartitionPosition("identity", 0, 8));

        StreamApplier.BatchResult result = outcomes.result(positions);

        assertThat(result.count(Outcome.APPLIED)).isEqualTo(2);
        assertThat(result.count(Outcome.DUPLICATE)).isEqualTo(1);
        assertThat(result.count(Outcome.REJECTED)).isZero();
        assertThat(result.positions()).isEqualTo(positions);
    }

    @Test
    void aUserCountsOncePerSubjectForWhatItWentThroughInTheBatch() {
        BatchOutcomes outcomes = new BatchOutcomes();
        outcomes.effect("created-then-changed", UserEffect.ADDED);
        outcomes.effect("created-then-changed", UserEffect.UPDATED);
        outcomes.effect("changed-twice", UserEffect.UPDATED);
        outcomes.effect("changed-twice", UserEffect.UPDATED);
        outcomes.effect("changed-then-deleted", UserEffect.UPDATED);
        outcomes.effect("changed-then-deleted", UserEffect.REMOVED);
        outcomes.effect("created-then-deleted", UserEffect.ADDED);
        outcomes.effect("created-then-deleted", UserEffect.REMOVED);
        outcomes.effect("untouched", null);

        StreamApplier.BatchResult result = outcomes.result(List.of());

        assertThat(result.added()).isEqualTo(1);
        assertThat(result.updated()).isEqualTo(1);
        assertThat(result.removed()).isEqualTo(1);
    }

    @Test
    void aSubjectCreatedAgainAfterItsDeletionInTheSameBatchCountsAsAdded() {
        BatchOutcomes outcomes = new BatchOutcomes();
        outcomes.effect("back", UserEffect.ADDED);
        outcomes.effect("back", UserEffect.REMOVED);
        outcomes.effect("back", UserEffect.ADDED);

        assertThat(outcomes.result(List.of()).added()).isEqualTo(1);
    }

    @Test
    void logLinesKeepTheirOrderPerSubjectAndSubjectsTheOrderTheyWereFirstMet() {
        BatchOutcomes outcomes = new BatchOutcomes();
        outcomes.logLine("b", line("e1", Outcome.APPLIED));
        outcomes.logLine("a", line("e2", Outcome.BUFFERED));
        outcomes.logLine("b", line("e3", Outcome.DUPLICATE));

        assertThat(outcomes.logLines("b")).extracting(LogLine::eventId).containsExactly("e1", "e3");
        assertThat(outcomes.logLines("nobody")).isEmpty();
        List<String> met = new ArrayList<>();
        outcomes.forEachLogged((subject, lines) -> met.add(subject + ":" + lines.size()));
        assertThat(met).containsExactly("b:2", "a:1");
    }

    @Test
    void onlyALineOfADeltaEventNamesAnIdARedeliveryWouldCarry() {
        assertThat(line("e1", Outcome.APPLIED).fromStream()).isTrue();
        assertThat(new LogLine("snapshot-7", "repair", "email v3", Outcome.REPAIRED, "gap timeout", null).fromStream())
                .as("a repair's line names the snapshot, not a delta").isFalse();
        assertThat(new LogLine(null, "username", null, Outcome.APPLIED, "username free", "maintenance").fromStream()).isFalse();
    }

    @Test
    void anEmptyBatchCountsNothing() {
        StreamApplier.BatchResult result = new BatchOutcomes().result(List.of());

        assertThat(result.outcomes()).isEmpty();
        assertThat(result.added() + result.updated() + result.removed()).isZero();
    }
}
