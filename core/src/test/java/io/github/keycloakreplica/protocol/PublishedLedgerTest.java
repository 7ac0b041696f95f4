package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.PublishedLedger.CurrentCredential;
import io.github.keycloakreplica.protocol.PublishedLedger.Publication;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

final class PublishedLedgerTest {

    private static Map<String, JsonNode> person(String email, boolean enabled) {
        Map<String, JsonNode> state = new LinkedHashMap<>();
        state.put("username", TextNode.valueOf("alice"));
        state.put("email", email == null ? null : TextNode.valueOf(email));
        state.put("enabled", BooleanNode.valueOf(enabled));
        state.put("realmRoles", JsonNodeFactory.instance.arrayNode().add("operator"));
        return state;
    }

    private static CurrentCredential password(String id, String hash) {
        return new CurrentCredential(id, "password", "{\"algorithm\":\"pbkdf2-sha512\"}", "{\"value\":\"" + hash + "\"}", 1L, null,
                PublishedLedger.fingerprint(hash));
    }

    @Test
    void aNewPersonPublishesEveryAttributeAndCredentialAtVersionOne() {
        Publication first = PublishedLedger.EMPTY.publish(person("a@example.com", true), List.of(password("c1", "h1")));

        assertThat(first.changedAttributes()).containsOnlyKeys("username", "email", "enabled", "realmRoles");
        assertThat(first.changedAttributes().values()).allMatch(v -> v.version() == 1);
        assertThat(first.upsertedCredentials()).extracting(ReplicatedCredential::version).containsExactly(1L);
        assertThat(first.ledger().live()).isTrue();
    }

    @Test
    void theSameStateAgainPublishesNothing() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(person("a@example.com", true), List.of(password("c1", "h1"))).ledger();

        Publication again = ledger.publish(person("a@example.com", true), List.of(password("c1", "h1")));

        assertThat(again.isEmpty()).isTrue();
        assertThat(again.ledger()).isEqualTo(ledger);
    }

    @Test
    void oneChangedAttributeMovesOnlyItsOwnVersionByOne() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(person("a@example.com", true), List.of()).ledger();

        Publication change = ledger.publish(person("b@example.com", true), List.of());

        assertThat(change.changedAttributes()).containsOnlyKeys("email");
        assertThat(change.changedAttributes().get("email").version()).isEqualTo(2);
        assertThat(change.changedAttributes().get("email").asText()).isEqualTo("b@example.com");
        assertThat(change.identitySnapshot().get("username").version()).isEqualTo(1);
        assertThat(change.identitySnapshot().get("email").version()).isEqualTo(2);
    }

    @Test
    void aRemovedAttributeIsPublishedAsNullAtItsNextVersion() {
        Map<String, JsonNode> withDepartment = person("a@example.com", true);
        withDepartment.put("department", JsonNodeFactory.instance.arrayNode().add("ops"));
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(withDepartment, List.of()).ledger();

        Publication removal = ledger.publish(person("a@example.com", true), List.of());

        assertThat(removal.changedAttributes()).containsOnlyKeys("department");
        assertThat(removal.changedAttributes().get("department").isAbsent()).isTrue();
        assertThat(removal.changedAttributes().get("department").version()).isEqualTo(2);
        assertThat(removal.ledger().publish(person("a@example.com", true), List.of()).isEmpty()).isTrue();
    }

    @Test
    void aDeletionMovesEveryAttributeOnAndRevokesEveryCredential() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(person("a@example.com", true), List.of(password("c1", "h1"))).ledger();
        ledger = ledger.publish(person("b@example.com", true), List.of(password("c1", "h1"))).ledger();

        Publication deletion = ledger.publish(null, List.of());

        assertThat(deletion.deleted()).isTrue();
        assertThat(deletion.tombstone()).containsEntry("email", 3L).containsEntry("username", 2L).containsEntry("enabled", 2L);
        assertThat(deletion.revokedCredentials()).containsOnlyKeys("c1");
        assertThat(deletion.revokedCredentials().get("c1")).isEqualTo(new PublishedLedger.Revocation("password", 2));
        assertThat(deletion.identitySnapshot().values()).allMatch(v -> v.isAbsent());
        assertThat(deletion.presentCredentials()).isEmpty();
        assertThat(deletion.revokedVersions()).containsEntry("c1", 2L);
        assertThat(deletion.ledger().live()).isFalse();
        assertThat(deletion.ledger().publish(null, List.of()).isEmpty()).as("a second look at a deleted person").isTrue();
    }

    @Test
    void aChangedCredentialIsUpsertedAndAVanishedOneRevoked() {
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(person("a@example.com", true),
                List.of(password("c1", "h1"), password("c2", "h2"))).ledger();

        Publication change = ledger.publish(person("a@example.com", true), List.of(password("c1", "h1-new")));

        assertThat(change.changedAttributes()).isEmpty();
        assertThat(change.upsertedCredentials()).extracting(ReplicatedCredential::id, ReplicatedCredential::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("c1", 2L));
        assertThat(change.revokedCredentials()).containsOnlyKeys("c2");
        assertThat(change.presentCredentials()).extracting(ReplicatedCredential::id).containsExactly("c1");
        assertThat(change.revokedVersions()).containsOnly(Map.entry("c2", 2L));
    }

    @Test
    void aClientWhoseLastRoleWasRevokedIsPublishedAsAnEmptyListOnce() {
        Map<String, JsonNode> withClientRole = person("a@example.com", true);
        withClientRole.put("clientRoles.reports", JsonNodeFactory.instance.arrayNode().add("viewer"));
        PublishedLedger ledger = PublishedLedger.EMPTY.publish(withClientRole, List.of()).ledger();

        Publication revoked = ledger.publish(person("a@example.com", true), List.of());

        assertThat(revoked.changedAttributes()).containsOnlyKeys("clientRoles.reports");
        assertThat(revoked.changedAttributes().get("clientRoles.reports").value().isArray()).isTrue();
        assertThat(revoked.changedAttributes().get("clientRoles.reports").value()).isEmpty();
        assertThat(revoked.identitySnapshot().get("clientRoles.reports").value().isArray()).isTrue();
        assertThat(revoked.ledger().publish(person("a@example.com", true), List.of()).isEmpty()).isTrue();
    }

    @Test
    void aCredentialNeverShowsItsSecretAsText() {
        assertThat(password("c1", "h1").toString()).doesNotContain("h1").contains("redacted");
    }

    /**
     * However a person's values change over any number of comparisons (repeats included), each attribute's
     * version is exactly the number of times its value changed: never skipped, never repeated.
     */
    @Property(tries = 300)
    void versionsCountExactlyTheChanges(@ForAll @Size(max = 30) List<@IntRange(min = 0, max = 3) Integer> emails,
                                        @ForAll @Size(max = 30) List<Boolean> enabledFlags) {
        PublishedLedger ledger = PublishedLedger.EMPTY;
        Map<String, Long> changes = new HashMap<>();
        String lastEmail = null;
        Boolean lastEnabled = null;
        int steps = Math.max(emails.size(), enabledFlags.size());
        for (int i = 0; i < steps; i++) {
            String email = emails.isEmpty() ? null : emails.get(i % emails.size()) == 0 ? null : "p" + emails.get(i % emails.size()) + "@x";
            boolean enabled = enabledFlags.isEmpty() || enabledFlags.get(i % enabledFlags.size());
            Publication publication = ledger.publish(person(email, enabled), List.of());
            if (i == 0 || !Objects.equals(email, lastEmail)) {
                if (i > 0 || email != null) {
                    changes.merge("email", 1L, Long::sum);
                }
            }
            if (i == 0 || enabled != lastEnabled) {
                changes.merge("enabled", 1L, Long::sum);
            }
            publication.changedAttributes().forEach((name, value) -> {
                if (changes.containsKey(name)) {
                    assertThat(value.version()).as(name).isEqualTo(changes.get(name));
                }
            });
            lastEmail = email;
            lastEnabled = enabled;
            ledger = publication.ledger();
        }
        PublishedLedger last = ledger;
        changes.forEach((name, count) -> assertThat(last.attributes().get(name).version()).as(name).isEqualTo(count));
    }
}
