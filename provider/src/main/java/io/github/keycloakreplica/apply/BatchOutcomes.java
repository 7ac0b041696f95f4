package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.store.PartitionPosition;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * What became of one apply transaction's events and users, kept apart from the applying: the outcome
 * counts and closed gaps for the metrics, each subject's lines for its event log, and what each user
 * went through, counted once per subject for the operation's result.
 */
final class BatchOutcomes {

    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    /** How long each gap this batch closes was open, in milliseconds. */
    private final List<Long> gapsResolved = new ArrayList<>();
    /** What each subject's user went through in this batch: created, changed or deleted. */
    private final Map<String, UserEffect> effects = new HashMap<>();
    private final Map<String, List<LogLine>> logLines = new LinkedHashMap<>();

    void count(Outcome outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    void gapResolved(long openMillis) {
        gapsResolved.add(openMillis);
    }

    /** One write's effect on a subject's user, after those it had in this batch already. */
    void effect(String subject, UserEffect effect) {
        if (effect != null) {
            effects.merge(subject, effect, UserEffect::then);
        }
    }

    void logLine(String subject, LogLine line) {
        logLines.computeIfAbsent(subject, s -> new ArrayList<>()).add(line);
    }

    /** A subject's lines, in the order they were met. */
    List<LogLine> logLines(String subject) {
        return logLines.getOrDefault(subject, List.of());
    }

    /** Every subject with lines, in the order it first had one. */
    void forEachLogged(BiConsumer<String, List<LogLine>> action) {
        logLines.forEach(action);
    }

    /** Hands the counts to the metrics; for once the transaction committed. */
    void reportTo(ReplicaMetrics metrics) {
        outcomes.forEach(metrics::counted);
        gapsResolved.forEach(metrics::gapResolved);
    }

    StreamApplier.BatchResult result(List<PartitionPosition> positions) {
        Map<UserEffect, Long> counted = effects.values().stream().filter(Objects::nonNull)
                .collect(Collectors.groupingBy(e -> e, () -> new EnumMap<>(UserEffect.class), Collectors.counting()));
        return new StreamApplier.BatchResult(outcomes, positions, counted.getOrDefault(UserEffect.ADDED, 0L).intValue(),
                counted.getOrDefault(UserEffect.UPDATED, 0L).intValue(), counted.getOrDefault(UserEffect.REMOVED, 0L).intValue());
    }
}
