package io.github.keycloakreplica.apply;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.Outcome;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.stream.CredentialsSnapshot;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EventLogTextTest {

    private static final String SOURCE = "keycloak://primary/realms/acme";

    private static Envelope envelope(String id, EventType type) {
        return new Envelope(id, SOURCE, type, "subject-1", null);
    }

    private static Fact fact(String name, long version, String eventId) {
        return new Fact(Fact.Kind.ATTRIBUTE, name, version, TextNode.valueOf("x"), new Fact.Provenance(eventId, SOURCE));
    }

    private static SubjectApply.Result result(List<Fact> applied, List<String> stale, List<String> buffered) {
        return new SubjectApply.Result(Outcome.APPLIED, applied, stale, buffered, List.of());
    }

    @Test
    void anEventThatSimplyAppliedNeedsNoDetail() {
        assertThat(EventLogText.detail("e1", result(List.of(fact("email", 2, "e1")), List.of(), List.of()))).isNull();
    }

    @Test
    void theDetailNamesWhatWasStaleWhatWaitsAndWhatAGapThatClosedLetThrough() {
        SubjectApply.Result result = result(List.of(fact("email", 3, "e2"), fact("lastName", 5, "e1"), fact("firstName", 4, "e1")),
                List.of("username"), List.of("phone"));

        assertThat(EventLogText.detail("e2", result))
                .isEqualTo("stale: username; waiting for earlier versions: phone; closed a gap: also applied lastName v5, firstName v4");
    }

    @Test
    void versionsNameEachFactTheEventCarriedOrOnlyTheNamedOnes() {
        IdentityUpsert upsert = new IdentityUpsert(envelope("e1", EventType.IDENTITY_UPSERTED),
                Map.of("username", new VersionedValue(TextNode.valueOf("jdoe"), 3), "email", new VersionedValue(TextNode.valueOf("j@x"), 8)));

        assertThat(EventLogText.versions(upsert, null)).isEqualTo("email v8, username v3");
        assertThat(EventLogText.versions(upsert, Set.of("username"))).isEqualTo("username v3");
        assertThat(EventLogText.versions(upsert, Set.of())).isEmpty();
    }

    @Test
    void aCredentialsVersionSaysItIsOne() {
        CredentialsSnapshot snapshot = new CredentialsSnapshot(envelope("s1", EventType.CREDENTIALS_SNAPSHOT), List.of(), Map.of("otp-1", 4L));

        assertThat(EventLogText.versions(snapshot, null)).isEqualTo("credential otp-1 v4");
    }

    @Test
    void aRepairNamesTheVersionsItApplied() {
        assertThat(EventLogText.applied(List.of(fact("email", 8, "s1"), fact("username", 3, "s1")))).isEqualTo("email v8, username v3");
        assertThat(EventLogText.applied(List.of())).isEmpty();
    }
}
