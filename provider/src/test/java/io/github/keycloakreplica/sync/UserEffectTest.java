package io.github.keycloakreplica.sync;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.UserChange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UserEffectTest {

    private static final UserChange SET = new UserChange.SetAttribute(Fact.attribute("lastName", 2, TextNode.valueOf("Doe")));
    private static final UserChange CREATE = new UserChange.Create(Map.of(), Map.of());

    @Test
    void aSetOfChangesCountsAsWhatItDoesToTheUser() {
        assertThat(UserEffect.of(List.of())).isNull();
        assertThat(UserEffect.of(List.of(SET))).isEqualTo(UserEffect.UPDATED);
        assertThat(UserEffect.of(List.of(CREATE, SET))).isEqualTo(UserEffect.ADDED);
        assertThat(UserEffect.of(List.of(SET, new UserChange.Delete()))).isEqualTo(UserEffect.REMOVED);
    }

    @Test
    void withinOneBatchASubjectCountsOnce() {
        assertThat(UserEffect.ADDED.then(UserEffect.UPDATED)).isEqualTo(UserEffect.ADDED);
        assertThat(UserEffect.UPDATED.then(UserEffect.UPDATED)).isEqualTo(UserEffect.UPDATED);
        assertThat(UserEffect.UPDATED.then(UserEffect.REMOVED)).isEqualTo(UserEffect.REMOVED);
        assertThat(UserEffect.ADDED.then(UserEffect.REMOVED)).as("created and deleted: nothing to count").isNull();
    }
}
