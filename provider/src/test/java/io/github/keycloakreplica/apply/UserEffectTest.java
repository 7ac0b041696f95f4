package io.github.keycloakreplica.apply;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.UserChange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class UserEffectTest {

    private static final UserChange SET = new UserChange.SetAttribute(Fact.attribute("lastName", 2, TextNode.valueOf("Doe")));
    private static final UserChange CREATE = new UserChange.Create(Map.of(), Map.of());

    private static final UserChange PROJECT = new UserChange.Project(Map.of(), Map.of(), Set.of());

    private static UserWriter.Written written(boolean created, boolean removed, List<String> corrected) {
        return new UserWriter.Written(Map.of(), created, removed, corrected);
    }

    @Test
    void aWriteCountsAsWhatItDidToTheUser() {
        assertThat(UserEffect.of(List.of(), written(false, false, List.of()))).isNull();
        assertThat(UserEffect.of(List.of(SET), written(false, false, List.of()))).isEqualTo(UserEffect.UPDATED);
        assertThat(UserEffect.of(List.of(CREATE, SET), written(true, false, List.of()))).isEqualTo(UserEffect.ADDED);
        assertThat(UserEffect.of(List.of(SET, new UserChange.Delete()), written(false, true, List.of()))).isEqualTo(UserEffect.REMOVED);
    }

    @Test
    void aProjectionCountsOnlyWhenTheUserWasNotRightAlready() {
        assertThat(UserEffect.of(List.of(PROJECT), written(false, false, List.of()))).as("nothing differed").isNull();
        assertThat(UserEffect.of(List.of(PROJECT), written(false, false, List.of("credentials")))).isEqualTo(UserEffect.UPDATED);
        assertThat(UserEffect.of(List.of(PROJECT), written(true, false, List.of()))).isEqualTo(UserEffect.ADDED);
        assertThat(UserEffect.of(List.of(new UserChange.Delete()), written(false, false, List.of()))).as("no user to delete").isNull();
    }

    @Test
    void withinOneBatchASubjectCountsOnce() {
        assertThat(UserEffect.ADDED.then(UserEffect.UPDATED)).isEqualTo(UserEffect.ADDED);
        assertThat(UserEffect.UPDATED.then(UserEffect.UPDATED)).isEqualTo(UserEffect.UPDATED);
        assertThat(UserEffect.UPDATED.then(UserEffect.REMOVED)).isEqualTo(UserEffect.REMOVED);
        assertThat(UserEffect.ADDED.then(UserEffect.REMOVED)).as("created and deleted: nothing to count").isNull();
    }
}
