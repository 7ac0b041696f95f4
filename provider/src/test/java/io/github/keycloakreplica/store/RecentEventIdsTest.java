package io.github.keycloakreplica.store;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class RecentEventIdsTest {

    @Test
    void idsAreKeptOldestFirstAndOnce() {
        String column = RecentEventIds.add(null, List.of("e1", "e2"), 10);
        column = RecentEventIds.add(column, List.of("e3", "e1"), 10);

        assertThat(RecentEventIds.read(column)).containsExactly("e2", "e3", "e1");
    }

    @Test
    void onlyTheNewestAreKept() {
        List<String> ids = IntStream.rangeClosed(1, 150).mapToObj(i -> "e" + i).toList();

        String column = RecentEventIds.add(RecentEventIds.add(null, ids.subList(0, 70), 100), ids.subList(70, 150), 100);

        assertThat(RecentEventIds.read(column)).hasSize(100).startsWith("e51").endsWith("e150");
    }

    @Test
    void nothingMetLeavesNothing() {
        assertThat(RecentEventIds.add(null, List.of(), 100)).isNull();
        assertThat(RecentEventIds.read(null)).isEmpty();
    }

    @Test
    void anIdThatWouldSplitTheColumnIsLeftOut() {
        String column = RecentEventIds.add(null, List.of("a\nb", "c"), 10);

        assertThat(RecentEventIds.read(column)).containsExactly("c");
    }
}
