package io.github.keycloakreplica.apply;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.Fact;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class UserProjectionTest {

    @Test
    void correctionsTheAppliedFactsExplainAreNotDrift() {
        List<Fact> applied = List.of(Fact.attribute("email", 3, TextNode.valueOf("a@example.com")),
                Fact.attribute("clientRoles.app", 2, JsonNodeFactory.instance.arrayNode()),
                Fact.credential("c1", 4, null));
        assertThat(UserProjection.drift(List.of("email", "roles", "credentials", "groups", "department"), applied, false, List.of()))
                .containsExactly("groups", "department");
    }

    @Test
    void theUsernameAWaitingSubjectIsGivenIsNotDrift() {
        assertThat(UserProjection.drift(List.of("username"), List.of(), true, List.of())).isEmpty();
        assertThat(UserProjection.drift(List.of("username"), List.of(), false, List.of())).containsExactly("username");
    }

    @Test
    void grantingWhatTheRealmLackedBeforeIsNotDrift() {
        assertThat(UserProjection.drift(List.of("roles", "groups"), List.of(), false, List.of("realmRoles", "groups"))).isEmpty();
        assertThat(UserProjection.drift(List.of("roles"), List.of(), false, List.of("groups"))).containsExactly("roles");
    }

    @Test
    void valuesCompareInAnyOrder() {
        assertThat(UserProjection.sameValues(List.of("b", "a"), List.of("a", "b"))).isTrue();
        assertThat(UserProjection.sameValues(List.of("a", "a"), List.of("a"))).isFalse();
        assertThat(UserProjection.sameValues(List.of(), List.of())).isTrue();
    }
}
