package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LedgerTest {

    private static Fact email(long version) {
        return Fact.attribute("email", version, TextNode.valueOf("v" + version + "@example.com"));
    }

    private final Ledger ledger = Ledger.empty();
    private final List<Fact> applied = new ArrayList<>();

    @Test
    void theNextVersionApplies() {
        assertThat(ledger.offer(email(1), applied)).isEqualTo(VersionRule.Verdict.APPLY);
        assertThat(ledger.offer(email(2), applied)).isEqualTo(VersionRule.Verdict.APPLY);

        assertThat(ledger.version(Fact.Key.attribute("email"))).isEqualTo(2);
        assertThat(applied).extracting(Fact::version).containsExactly(1L, 2L);
    }

    @Test
    void staleAndDuplicateVersionsAreDiscarded() {
        ledger.offer(email(1), applied);
        ledger.offer(email(2), applied);
        applied.clear();

        assertThat(ledger.offer(email(2), applied)).isEqualTo(VersionRule.Verdict.STALE);
        assertThat(ledger.offer(email(1), applied)).isEqualTo(VersionRule.Verdict.STALE);
        assertThat(applied).isEmpty();
        assertThat(ledger.current(Fact.Key.attribute("email")).value().asText()).isEqualTo("v2@example.com");
    }

    @Test
    void aGapIsBufferedAndDrainsWhenItFills() {
        ledger.offer(email(1), applied);
        applied.clear();

        assertThat(ledger.offer(email(4), applied)).isEqualTo(VersionRule.Verdict.GAP);
        assertThat(ledger.offer(email(3), applied)).isEqualTo(VersionRule.Verdict.GAP);
        assertThat(ledger.offer(email(3), applied)).as("the same buffered version again").isEqualTo(VersionRule.Verdict.GAP);
        assertThat(applied).isEmpty();
        assertThat(ledger.hasGap(Fact.Key.attribute("email"))).isTrue();
        assertThat(ledger.bufferedFacts()).extracting(Fact::version).containsExactlyInAnyOrder(3L, 4L);

        assertThat(ledger.offer(email(2), applied)).isEqualTo(VersionRule.Verdict.APPLY);
        assertThat(applied).extracting(Fact::version).containsExactly(2L, 3L, 4L);
        assertThat(ledger.hasGap(Fact.Key.attribute("email"))).isFalse();
        assertThat(ledger.bufferedFacts()).isEmpty();
    }

    @Test
    void aSnapshotFastForwardsDropsWhatItCoversAndDrainsTheRest() {
        ledger.offer(email(1), applied);
        ledger.offer(email(3), applied);
        ledger.offer(email(5), applied);
        ledger.offer(email(6), applied);
        applied.clear();

        ledger.fastForward(List.of(email(4), Fact.attribute("username", 2, TextNode.valueOf("alice"))), applied);

        assertThat(applied).extracting(f -> f.name() + f.version()).containsExactly("email4", "email5", "email6", "username2");
        assertThat(ledger.bufferedFacts()).isEmpty();
        assertThat(ledger.live()).isTrue();
    }

    @Test
    void aSnapshotOlderThanWhatIsStoredChangesNothing() {
        ledger.offer(email(1), applied);
        ledger.offer(email(2), applied);
        applied.clear();

        ledger.fastForward(List.of(email(1)), applied);

        assertThat(applied).isEmpty();
        assertThat(ledger.version(Fact.Key.attribute("email"))).isEqualTo(2);
    }

    @Test
    void theSubjectIsAUserWhileItsUsernameIsPresent() {
        assertThat(ledger.live()).isFalse();
        ledger.offer(Fact.attribute("username", 1, TextNode.valueOf("alice")), applied);
        assertThat(ledger.live()).isTrue();
        ledger.offer(Fact.attribute("username", 2, null), applied);
        assertThat(ledger.live()).isFalse();
        assertThat(ledger.offer(Fact.attribute("username", 1, TextNode.valueOf("alice")), applied))
                .as("no stale upsert brings a deleted subject back").isEqualTo(VersionRule.Verdict.STALE);
    }

    @Test
    void aCredentialFactNeverShowsItsSecret() {
        Fact credential = Fact.credential("c1", 1, JsonNodeFactory.instance.objectNode()
                .put("secretData", "{\"value\":\"HASH\"}"));

        assertThat(credential.toString()).doesNotContain("HASH").contains("c1").contains("v1");
    }
}
