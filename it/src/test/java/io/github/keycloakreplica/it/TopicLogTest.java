package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.VersionedValue;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The order check PublisherOutageIT holds the published records to: it must find what it is there to find. */
class TopicLogTest {

    private static final String SUBJECT = "5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11";

    @Test
    void versionsOneAtATimeFromOneAreInOrder() {
        TopicLog.Order order = TopicLog.problemsInOrder(SUBJECT, List.of(upsert("a", Map.of("email", 1L, "username", 1L)),
                upsert("b", Map.of("email", 2L)), upsert("c", Map.of("email", 3L, "department", 1L)),
                deletion("d", Map.of("email", 4L, "username", 2L, "department", 2L))));

        assertThat(order.problems()).isEmpty();
        assertThat(order.repeats()).isZero();
    }

    @Test
    void aGapIsNamed() {
        TopicLog.Order order = TopicLog.problemsInOrder(SUBJECT, List.of(upsert("a", Map.of("email", 1L)), upsert("b", Map.of("email", 3L))));

        assertThat(order.problems()).singleElement().asString().contains("email went from version 1 to 3");
    }

    @Test
    void aFirstVersionAboveOneIsAGap() {
        assertThat(TopicLog.problemsInOrder(SUBJECT, List.of(upsert("a", Map.of("email", 2L)))).problems())
                .singleElement().asString().contains("email went from version 0 to 2");
    }

    @Test
    void oneVersionGivenToTwoEventsIsNamed() {
        TopicLog.Order order = TopicLog.problemsInOrder(SUBJECT, List.of(upsert("a", Map.of("email", 1L)), upsert("b", Map.of("email", 1L))));

        assertThat(order.problems()).singleElement().asString().contains("email went from version 1 to 1");
    }

    @Test
    void anEventSentAgainWithTheSameVersionsIsARepeatNotAProblem() {
        TopicLog.Order order = TopicLog.problemsInOrder(SUBJECT, List.of(upsert("a", Map.of("email", 1L)), upsert("b", Map.of("email", 2L)),
                upsert("a", Map.of("email", 1L)), upsert("b", Map.of("email", 2L)), upsert("c", Map.of("email", 3L))));

        assertThat(order.problems()).isEmpty();
        assertThat(order.repeats()).isEqualTo(2);
    }

    @Test
    void anEventIdSentAgainWithOtherVersionsIsNamed() {
        TopicLog.Order order = TopicLog.problemsInOrder(SUBJECT, List.of(upsert("a", Map.of("email", 1L)), upsert("a", Map.of("email", 2L))));

        assertThat(order.problems()).singleElement().asString().contains("came again with other versions");
    }

    @Test
    void credentialsCountPerCredentialId() {
        StreamEvent revoked = new CredentialRevocation(envelope("r", EventType.CREDENTIAL_REVOKED), "c1", "password", 3);

        assertThat(TopicLog.versionsOf(revoked)).containsExactly(Map.entry("credential:c1", 3L));
        assertThat(TopicLog.problemsInOrder(SUBJECT, List.of(revoked)).problems()).singleElement().asString()
                .contains("credential:c1 went from version 0 to 3");
    }

    private static IdentityUpsert upsert(String id, Map<String, Long> versions) {
        Map<String, VersionedValue> attributes = new TreeMap<>();
        versions.forEach((name, version) -> attributes.put(name, new VersionedValue(TextNode.valueOf("v" + version), version)));
        return new IdentityUpsert(envelope(id, EventType.IDENTITY_UPSERTED), attributes);
    }

    private static IdentityDeletion deletion(String id, Map<String, Long> versions) {
        return new IdentityDeletion(envelope(id, EventType.IDENTITY_DELETED), versions);
    }

    private static Envelope envelope(String id, EventType type) {
        return new Envelope(id, "keycloak://primary/realms/acme", type, SUBJECT, "2026-12-07T10:00:00Z");
    }
}
