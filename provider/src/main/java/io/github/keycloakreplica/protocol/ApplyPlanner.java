package io.github.keycloakreplica.protocol;

import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides, from what the replica holds of a subject, what one event changes. Pure: no Keycloak types,
 * no I/O; the sync package carries the plans out.
 *
 * <p>This planner applies in arrival order: a version above the stored one applies even when versions
 * in between are missing ({@link VersionRule.Verdict#GAP}). Stale and duplicate versions are always
 * discarded, and a deletion's versions are kept as a tombstone.
 */
public final class ApplyPlanner {

    private ApplyPlanner() {
    }

    public record IdentityPlan(Outcome outcome, boolean createsUser, Map<String, VersionedValue> changes,
                               List<String> staleAttributes, String reason) {
    }

    public record DeletionPlan(Outcome outcome, boolean removesUser, Map<String, Long> tombstone) {
    }

    public record CredentialPlan(Outcome outcome, String reason) {
    }

    public static IdentityPlan planUpsert(SubjectState state, IdentityUpsert event) {
        Map<String, VersionedValue> changes = new LinkedHashMap<>();
        List<String> stale = new ArrayList<>();
        event.attributes().forEach((name, value) -> {
            if (VersionRule.judge(state.attributeVersion(name), value.version()) == VersionRule.Verdict.STALE) {
                stale.add(name);
            } else {
                changes.put(name, value);
            }
        });

        if (state.deleted()) {
            // Only a re-creation upstream (every attribute newer than the tombstone) may bring it back.
            boolean recreated = stale.isEmpty() && changes.containsKey("username");
            return recreated
                    ? new IdentityPlan(Outcome.APPLIED, true, changes, stale, null)
                    : new IdentityPlan(Outcome.STALE, false, Map.of(), List.copyOf(event.attributes().keySet()),
                    "the subject was deleted upstream and this upsert is not newer than the deletion");
        }
        if (!state.known()) {
            if (!changes.containsKey("username")) {
                return new IdentityPlan(Outcome.REJECTED, false, Map.of(), stale,
                        "the subject is not known at this replica and the event carries no username to create it with");
            }
            return new IdentityPlan(Outcome.APPLIED, true, changes, stale, null);
        }
        if (changes.isEmpty()) {
            return new IdentityPlan(Outcome.STALE, false, Map.of(), stale, "every attribute is at or below the stored version");
        }
        return new IdentityPlan(Outcome.APPLIED, false, changes, stale, null);
    }

    public static DeletionPlan planDeletion(SubjectState state, IdentityDeletion event) {
        Map<String, Long> tombstone = new TreeMap<>(state.attributeVersions());
        event.versions().forEach((name, version) -> tombstone.merge(name, version, Math::max));

        boolean recreatedSince = event.versions().entrySet().stream()
                .anyMatch(e -> state.live() && state.attributeVersion(e.getKey()) > e.getValue());
        boolean nothingNewer = event.versions().entrySet().stream()
                .allMatch(e -> state.attributeVersion(e.getKey()) >= e.getValue());
        if (recreatedSince || (state.deleted() && nothingNewer)) {
            return new DeletionPlan(Outcome.STALE, false, Map.of());
        }
        // An unknown subject still gets its tombstone, so that an upsert delayed behind the deletion
        // cannot create it afterwards.
        return new DeletionPlan(Outcome.APPLIED, state.live(), tombstone);
    }

    public static CredentialPlan planCredential(SubjectState state, CredentialUpsert event) {
        return planCredential(state, event.credential().id(), event.credential().version());
    }

    public static CredentialPlan planCredential(SubjectState state, CredentialRevocation event) {
        return planCredential(state, event.credentialId(), event.version());
    }

    private static CredentialPlan planCredential(SubjectState state, String credentialId, long version) {
        if (state.deleted()) {
            return new CredentialPlan(Outcome.STALE, "the subject was deleted upstream");
        }
        if (!state.known()) {
            return new CredentialPlan(Outcome.PARKED, "the subject has not arrived on the identity stream yet");
        }
        if (VersionRule.judge(state.credentialVersion(credentialId), version) == VersionRule.Verdict.STALE) {
            return new CredentialPlan(Outcome.STALE, "credential version " + version + " is not newer than the stored "
                    + state.credentialVersion(credentialId));
        }
        return new CredentialPlan(Outcome.APPLIED, null);
    }
}
