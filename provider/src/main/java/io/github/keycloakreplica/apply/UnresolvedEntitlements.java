package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.store.ReplicaUnresolvedEntity;
import io.github.keycloakreplica.store.SubjectRecord;
import io.github.keycloakreplica.store.UnresolvedRows;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The entitlements (roles, client roles, groups) one apply transaction could not grant, against those its
 * subjects had recorded already: what is new is said once, when first met (the entitlement pass tries
 * them again every few seconds), and at the end each subject's record is brought up to date.
 */
final class UnresolvedEntitlements {

    private static final Logger log = Logger.getLogger(StreamApplier.class);

    private final UnresolvedRows rows;
    private final String componentId;
    /** A bulk load says nothing per subject; the operation reports the counts. */
    private final boolean quiet;
    /** What the subjects had recorded when loaded, by subject row id; kept up to date by the store. */
    private final Map<String, List<ReplicaUnresolvedEntity>> stored = new HashMap<>();
    /** What this transaction could not grant, by subject, then attribute. */
    private final Map<String, Map<String, List<String>>> found = new LinkedHashMap<>();

    UnresolvedEntitlements(UnresolvedRows rows, String componentId, boolean quiet) {
        this.rows = rows;
        this.componentId = componentId;
        this.quiet = quiet;
    }

    /** Reads what these subjects (by row id) had recorded. */
    void load(Collection<String> subjectRowIds) {
        stored.putAll(rows.bySubject(subjectRowIds));
    }

    /** The attributes a subject had something unresolved in before this transaction. */
    List<String> attributesBefore(SubjectRecord subject) {
        return subject.row() == null ? List.of()
                : stored.getOrDefault(subject.row().getId(), List.of()).stream().map(ReplicaUnresolvedEntity::getAttribute).toList();
    }

    /** What one write could not grant, by attribute. */
    void found(SubjectRecord subject, Map<String, List<String>> unresolved) {
        Set<String> known = subject.row() == null ? Set.of() : stored.getOrDefault(subject.row().getId(), List.of()).stream()
                .map(u -> u.getAttribute() + "\n" + u.getEntitlement()).collect(Collectors.toSet());
        unresolved.forEach((attribute, entitlements) -> {
            found.computeIfAbsent(subject.subject(), s -> new LinkedHashMap<>()).put(attribute, entitlements);
            if (!quiet) {
                entitlements.stream().filter(e -> !known.contains(attribute + "\n" + e)).forEach(e -> log.warnf(e.startsWith(EntitlementGuard.REFUSED)
                        ? "replica %s: subject %s: %s; recorded as unresolved, the rest applies"
                        : "replica %s: subject %s names %s, which this realm does not have; recorded as unresolved, the rest applies",
                        componentId, subject.subject(), e));
            }
        });
    }

    /** How many entitlements of a subject this transaction found missing. */
    int still(String subject) {
        return found.getOrDefault(subject, Map.of()).values().stream().mapToInt(List::size).sum();
    }

    /** Brings a subject's record up to date; for a subject that has a row. */
    void save(SubjectRecord subject, long now) {
        List<ReplicaUnresolvedEntity> current = stored.computeIfAbsent(subject.row().getId(), id -> new ArrayList<>());
        if (!subject.ledger().live()) {
            // No user, nothing to grant: what it could not be granted is forgotten with the user.
            current.stream().map(ReplicaUnresolvedEntity::getAttribute).distinct().toList()
                    .forEach(attribute -> rows.set(subject.row(), attribute, List.of(), current, now));
        } else {
            found.getOrDefault(subject.subject(), Map.of())
                    .forEach((attribute, missing) -> rows.set(subject.row(), attribute, missing, current, now));
        }
    }
}
