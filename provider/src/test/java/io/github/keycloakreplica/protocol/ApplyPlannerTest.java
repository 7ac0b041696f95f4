package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.VersionedValue;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ApplyPlannerTest {

    private static final String SUBJECT = "subject-1";

    static IdentityUpsert upsert(Object... nameVersionPairs) {
        Map<String, VersionedValue> attributes = new LinkedHashMap<>();
        for (int i = 0; i < nameVersionPairs.length; i += 2) {
            String name = (String) nameVersionPairs[i];
            attributes.put(name, new VersionedValue(TextNode.valueOf(name + "-value"), ((Number) nameVersionPairs[i + 1]).longValue()));
        }
        return new IdentityUpsert(envelope(EventType.IDENTITY_UPSERTED), attributes);
    }

    static Envelope envelope(EventType type) {
        return new Envelope("e-" + System.nanoTime(), "test://upstream", type, SUBJECT, null);
    }

    static SubjectState live(Map<String, Long> attributes, Map<String, Long> credentials) {
        return new SubjectState(true, false, attributes, credentials);
    }

    @Test
    void aNewSubjectIsCreatedFromAnUpsertWithAUsername() {
        ApplyPlanner.IdentityPlan plan = ApplyPlanner.planUpsert(SubjectState.UNKNOWN, upsert("username", 3, "email", 7));

        assertThat(plan.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(plan.createsUser()).isTrue();
        assertThat(plan.changes()).containsOnlyKeys("username", "email");
    }

    @Test
    void aNewSubjectWithoutAUsernameCannotBeCreated() {
        ApplyPlanner.IdentityPlan plan = ApplyPlanner.planUpsert(SubjectState.UNKNOWN, upsert("email", 7));

        assertThat(plan.outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(plan.reason()).contains("no username");
    }

    @Test
    void onlyNewerAttributesApplyAndTheRestAreStale() {
        SubjectState state = live(Map.of("username", 3L, "email", 7L, "enabled", 2L), Map.of());

        ApplyPlanner.IdentityPlan plan = ApplyPlanner.planUpsert(state, upsert("username", 3, "email", 8, "enabled", 1, "department", 1));

        assertThat(plan.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(plan.createsUser()).isFalse();
        assertThat(plan.changes()).containsOnlyKeys("email", "department");
        assertThat(plan.staleAttributes()).containsExactlyInAnyOrder("username", "enabled");
    }

    @Test
    void aDuplicateIsStale() {
        SubjectState state = live(Map.of("username", 3L, "email", 7L), Map.of());

        assertThat(ApplyPlanner.planUpsert(state, upsert("username", 3, "email", 7)).outcome()).isEqualTo(Outcome.STALE);
    }

    @Test
    void aDeletionRemovesTheUserAndLeavesItsVersionsAsTombstone() {
        SubjectState state = live(Map.of("username", 3L, "email", 7L), Map.of());

        ApplyPlanner.DeletionPlan plan = ApplyPlanner.planDeletion(state,
                new IdentityDeletion(envelope(EventType.IDENTITY_DELETED), Map.of("username", 4L, "email", 8L)));

        assertThat(plan.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(plan.removesUser()).isTrue();
        assertThat(plan.tombstone()).containsEntry("username", 4L).containsEntry("email", 8L);
    }

    @Test
    void noStaleUpsertBringsADeletedSubjectBack() {
        SubjectState tombstone = new SubjectState(true, true, Map.of("username", 4L, "email", 8L), Map.of());

        assertThat(ApplyPlanner.planUpsert(tombstone, upsert("username", 3, "email", 7)).outcome()).isEqualTo(Outcome.STALE);
        assertThat(ApplyPlanner.planUpsert(tombstone, upsert("email", 9)).outcome()).isEqualTo(Outcome.STALE);
        // Some attributes newer, one not: still the old subject's history, not a re-creation.
        assertThat(ApplyPlanner.planUpsert(tombstone, upsert("username", 5, "email", 8)).outcome()).isEqualTo(Outcome.STALE);
    }

    @Test
    void aReCreationUpstreamBringsTheSubjectBack() {
        SubjectState tombstone = new SubjectState(true, true, Map.of("username", 4L, "email", 8L), Map.of());

        ApplyPlanner.IdentityPlan plan = ApplyPlanner.planUpsert(tombstone, upsert("username", 5, "email", 9));

        assertThat(plan.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(plan.createsUser()).isTrue();
    }

    @Test
    void aDeletionOfAnUnknownSubjectStillLeavesATombstone() {
        ApplyPlanner.DeletionPlan plan = ApplyPlanner.planDeletion(SubjectState.UNKNOWN,
                new IdentityDeletion(envelope(EventType.IDENTITY_DELETED), Map.of("username", 2L)));

        assertThat(plan.outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(plan.removesUser()).isFalse();
        assertThat(plan.tombstone()).containsEntry("username", 2L);
        assertThat(ApplyPlanner.planUpsert(new SubjectState(true, true, plan.tombstone(), Map.of()), upsert("username", 1)).outcome())
                .isEqualTo(Outcome.STALE);
    }

    @Test
    void aDeletionOlderThanTheSubjectsReCreationIsStale() {
        SubjectState recreated = live(Map.of("username", 6L), Map.of());

        ApplyPlanner.DeletionPlan plan = ApplyPlanner.planDeletion(recreated,
                new IdentityDeletion(envelope(EventType.IDENTITY_DELETED), Map.of("username", 5L)));

        assertThat(plan.outcome()).isEqualTo(Outcome.STALE);
    }

    @Test
    void aRepeatedDeletionIsStale() {
        SubjectState tombstone = new SubjectState(true, true, Map.of("username", 4L), Map.of());

        assertThat(ApplyPlanner.planDeletion(tombstone,
                new IdentityDeletion(envelope(EventType.IDENTITY_DELETED), Map.of("username", 4L))).outcome()).isEqualTo(Outcome.STALE);
    }

    @Test
    void credentialsOfASubjectNotYetArrivedAreParked() {
        CredentialUpsert upsert = new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED),
                new ReplicatedCredential("c1", "password", 1, "{}", "{}", null, null));

        assertThat(ApplyPlanner.planCredential(SubjectState.UNKNOWN, upsert).outcome()).isEqualTo(Outcome.PARKED);
    }

    @Test
    void credentialsFollowTheirOwnVersions() {
        SubjectState state = live(Map.of("username", 1L), Map.of("c1", 2L));
        CredentialUpsert older = new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED),
                new ReplicatedCredential("c1", "password", 2, "{}", "{}", null, null));
        CredentialUpsert newer = new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED),
                new ReplicatedCredential("c1", "password", 3, "{}", "{}", null, null));
        CredentialUpsert other = new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED),
                new ReplicatedCredential("c2", "otp", 1, "{}", "{}", null, null));

        assertThat(ApplyPlanner.planCredential(state, older).outcome()).isEqualTo(Outcome.STALE);
        assertThat(ApplyPlanner.planCredential(state, newer).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(ApplyPlanner.planCredential(state, other).outcome()).isEqualTo(Outcome.APPLIED);
        assertThat(ApplyPlanner.planCredential(state,
                new CredentialRevocation(envelope(EventType.CREDENTIAL_REVOKED), "c1", "password", 3)).outcome()).isEqualTo(Outcome.APPLIED);
    }

    @Test
    void credentialsOfADeletedSubjectAreStale() {
        SubjectState tombstone = new SubjectState(true, true, Map.of("username", 4L), Map.of());
        CredentialUpsert upsert = new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED),
                new ReplicatedCredential("c1", "password", 9, "{}", "{}", null, null));

        assertThat(ApplyPlanner.planCredential(tombstone, upsert).outcome()).isEqualTo(Outcome.STALE);
    }
}
