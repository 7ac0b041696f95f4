package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CredentialProjectionTest {

    private static Fact credential(String id, String type, Long createdDate) {
        ObjectNode value = JsonNodeFactory.instance.objectNode().put("type", type).put("credentialData", "{}").put("secretData", "{}");
        if (createdDate != null) {
            value.put("createdDate", createdDate);
        }
        return Fact.credential(id, 1, value);
    }

    private static Map<String, Fact> ledger(Fact... facts) {
        Map<String, Fact> byId = new LinkedHashMap<>();
        for (Fact fact : facts) {
            byId.put(fact.name(), fact);
        }
        return byId;
    }

    @Test
    void ofTwoPresentPasswordsOnlyTheNewestIsShown() {
        Map<String, Fact> credentials = ledger(credential("old", "password", 100L), credential("new", "password", 200L),
                credential("otp-1", "otp", 50L));
        assertThat(CredentialProjection.of(credentials)).containsOnlyKeys("new", "otp-1");
        assertThat(CredentialProjection.heldBack(credentials)).containsOnlyKeys("old");
    }

    @Test
    void revokingTheShownPasswordBringsBackTheNext() {
        Map<String, Fact> credentials = ledger(credential("old", "password", 100L), Fact.credential("new", 2, null));
        assertThat(CredentialProjection.of(credentials)).containsOnlyKeys("old");
        assertThat(CredentialProjection.password(credentials)).map(Fact::name).contains("old");
    }

    @Test
    void equalOrMissingCreatedDatesAreDecidedByTheGreatestId() {
        assertThat(CredentialProjection.of(ledger(credential("a", "password", 7L), credential("b", "password", 7L)))).containsOnlyKeys("b");
        assertThat(CredentialProjection.of(ledger(credential("b", "password", null), credential("a", "password", 1L)))).containsOnlyKeys("a");
        assertThat(CredentialProjection.of(ledger(credential("b", "password", null), credential("a", "password", null)))).containsOnlyKeys("b");
    }

    @Test
    void theChoiceDoesNotDependOnTheOrderTheFactsAreListedIn() {
        List<Fact> facts = List.of(credential("p1", "password", 3L), credential("p2", "password", 9L), credential("p3", "password", 9L),
                credential("o", "otp", 1L), Fact.credential("gone", 4, null));
        for (int shift = 0; shift < facts.size(); shift++) {
            Map<String, Fact> rotated = new LinkedHashMap<>();
            for (int i = 0; i < facts.size(); i++) {
                Fact fact = facts.get((i + shift) % facts.size());
                rotated.put(fact.name(), fact);
            }
            assertThat(CredentialProjection.of(rotated)).containsOnlyKeys("p3", "o");
        }
    }

    @Test
    void nothingPresentShowsNothing() {
        assertThat(CredentialProjection.of(ledger(Fact.credential("x", 3, null)))).isEmpty();
        assertThat(CredentialProjection.password(Map.of())).isEmpty();
    }
}
