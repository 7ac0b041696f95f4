package io.github.keycloakreplica.publisher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.PublishedLedger;
import io.github.keycloakreplica.protocol.PublishedLedger.CurrentCredential;
import io.github.keycloakreplica.store.PublisherRows.Topic;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.StreamEvent;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

final class MaterializerTest {

    private static final StreamCodec CODEC = new StreamCodec();
    private final Materializer materializer = new Materializer(CODEC, Clock.fixed(Instant.parse("2026-12-07T10:00:00Z"), ZoneOffset.UTC));

    private static final Map<String, JsonNode> ALICE = Map.of("username", TextNode.valueOf("alice"), "enabled", BooleanNode.TRUE);
    private static final CurrentCredential PASSWORD = new CurrentCredential("c1", "password", "{\"algorithm\":\"pbkdf2-sha512\"}",
            "{\"value\":\"h\",\"salt\":\"s\"}", 1L, null, "fp1");

    @Test
    void aNewPersonGoesOutAsDeltasFirstThenTheirSnapshots() {
        PublishedLedger.Publication publication = PublishedLedger.EMPTY.publish(ALICE, List.of(PASSWORD));

        List<Materializer.Record> records = materializer.records("s1", "keycloak://primary/realms/acme", publication);

        assertThat(records).extracting(Materializer.Record::topic)
                .containsExactly(Topic.IDENTITY, Topic.CREDENTIALS, Topic.IDENTITY_SNAPSHOT, Topic.CREDENTIALS_SNAPSHOT);
        assertThat(records).extracting(r -> r.event().envelope().type())
                .containsExactly(EventType.IDENTITY_UPSERTED, EventType.CREDENTIAL_UPSERTED, EventType.IDENTITY_SNAPSHOT,
                        EventType.CREDENTIALS_SNAPSHOT);
        assertThat(records).allSatisfy(r -> assertThat(r.event().subject()).isEqualTo("s1"));
        assertThat(records).extracting(r -> r.event().envelope().id()).doesNotHaveDuplicates();
    }

    @Test
    void everyRecordIsOneTheStreamContractAccepts() throws Exception {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(ALICE, List.of(PASSWORD)).ledger();
        for (PublishedLedger.Publication publication : List.of(PublishedLedger.EMPTY.publish(ALICE, List.of(PASSWORD)),
                ledger.publish(ALICE, List.of()), ledger.publish(null, List.of()))) {
            for (Materializer.Record record : materializer.records("s1", "keycloak://primary/realms/acme", publication)) {
                StreamEvent decoded = CODEC.decode(CODEC.encode(record.event()));
                assertThat(decoded.envelope().type()).isEqualTo(record.event().envelope().type());
            }
        }
    }

    @Test
    void aDeletionIsAnIdentityDeletionARevocationAndTwoSnapshots() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(ALICE, List.of(PASSWORD)).ledger();

        List<Materializer.Record> records = materializer.records("s1", "keycloak://primary/realms/acme", ledger.publish(null, List.of()));

        assertThat(records).extracting(r -> r.event().envelope().type())
                .containsExactly(EventType.IDENTITY_DELETED, EventType.CREDENTIAL_REVOKED, EventType.IDENTITY_SNAPSHOT,
                        EventType.CREDENTIALS_SNAPSHOT);
    }

    @Test
    void aCredentialOnlyChangeLeavesTheIdentityTopicsAlone() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(ALICE, List.of(PASSWORD)).ledger();
        CurrentCredential changed = new CurrentCredential("c1", "password", "{}", "{\"value\":\"h2\"}", 1L, null, "fp2");

        List<Materializer.Record> records = materializer.records("s1", "src", ledger.publish(ALICE, List.of(changed)));

        assertThat(records).extracting(Materializer.Record::topic).containsExactly(Topic.CREDENTIALS, Topic.CREDENTIALS_SNAPSHOT);
    }

    @Test
    void aPersonTheStreamContractCannotCarryIsRefusedBeforeAnythingIsWrittenNamingTheRuleAndNotTheValue() {
        String tooLong = "v".repeat(16_385);
        Map<String, JsonNode> withLongNote = new java.util.HashMap<>(ALICE);
        withLongNote.put("note", TextNode.valueOf(tooLong));
        List<Materializer.Record> records = materializer.records("s1", "keycloak://primary/realms/acme",
                PublishedLedger.EMPTY.publish(withLongNote, List.of(PASSWORD)));

        assertThatThrownBy(() -> materializer.checked(records))
                .isInstanceOf(Materializer.Unpublishable.class)
                .hasMessageContaining("replica.identity.upserted schema")
                .hasMessageContaining("at most 16,384 characters")
                .hasMessageNotContaining("vvvvvvvvvv");
    }

    @Test
    void recordsTheContractCarriesAreCheckedIntoThePayloadsTheRelaySends() throws Exception {
        List<Materializer.Record> records = materializer.records("s1", "keycloak://primary/realms/acme",
                PublishedLedger.EMPTY.publish(ALICE, List.of(PASSWORD)));

        List<String> payloads = materializer.checked(records);

        assertThat(payloads).hasSameSizeAs(records);
        for (int i = 0; i < records.size(); i++) {
            assertThat(CODEC.decode(payloads.get(i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).envelope().id())
                    .isEqualTo(records.get(i).event().envelope().id());
        }
    }

    @Test
    void aDatabaseFailureIsNeverThePersonsEvenWhenKeycloakWrapsIt() {
        assertThat(Materializer.databaseFailure(new jakarta.persistence.PessimisticLockException("lock timeout"))).isTrue();
        assertThat(Materializer.databaseFailure(new org.keycloak.models.ModelException("wrapped",
                new jakarta.persistence.PersistenceException(new java.sql.SQLTransientConnectionException("gone"))))).isTrue();
        assertThat(Materializer.databaseFailure(new org.keycloak.models.ModelException("no such role"))).isFalse();
        assertThat(Materializer.databaseFailure(new NullPointerException())).isFalse();
    }
}
