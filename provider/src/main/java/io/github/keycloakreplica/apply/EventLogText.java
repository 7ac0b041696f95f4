package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.stream.StreamEvent;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How an applied event is told in a subject's event log and the server log: which versions it carried,
 * and what of it was stale, waits for a gap to close, or closed one. An operator reads these to follow
 * a subject's history, so they name versions, never values.
 */
final class EventLogText {

    private EventLogText() {
    }

    /** What an operator should know beyond the outcome, or null when nothing. */
    static String detail(String eventId, SubjectApply.Result result) {
        List<String> parts = new ArrayList<>();
        if (!result.stale().isEmpty()) {
            parts.add("stale: " + String.join(", ", result.stale()));
        }
        if (!result.buffered().isEmpty()) {
            parts.add("waiting for earlier versions: " + String.join(", ", result.buffered()));
        }
        List<String> unblocked = result.applied().stream()
                .filter(f -> !eventId.equals(f.provenance().eventId()))
                .map(f -> f.name() + " v" + f.version())
                .toList();
        if (!unblocked.isEmpty()) {
            parts.add("closed a gap: also applied " + String.join(", ", unblocked));
        }
        return parts.isEmpty() ? null : String.join("; ", parts);
    }

    /** "email v8, username v3": the versions an event carried (all of them, or only the named ones). */
    static String versions(StreamEvent event, Collection<String> only) {
        return SubjectApply.facts(event).stream()
                .filter(f -> only == null || only.contains(f.name()))
                .map(f -> (f.kind() == Fact.Kind.CREDENTIAL ? "credential " : "") + f.name() + " v" + f.version())
                .collect(Collectors.joining(", "));
    }

    /** "email v8, username v3": the versions a repair applied. */
    static String applied(List<Fact> facts) {
        return facts.stream().map(f -> f.name() + " v" + f.version()).collect(Collectors.joining(", "));
    }
}
