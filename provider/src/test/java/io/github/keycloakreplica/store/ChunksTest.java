package io.github.keycloakreplica.store;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ChunksTest {

    @Test
    void noValuesMakeNoChunkAndSoNoQuery() {
        assertThat(Chunks.<String>of(List.of())).isEmpty();
    }

    @Test
    void chunksHoldAtMostTheSizeAndEveryValueOnceInOrder() {
        List<Integer> values = IntStream.range(0, 2 * Chunks.SIZE + 1).boxed().toList();

        List<List<Integer>> chunks = Chunks.of(new LinkedHashSet<>(values));

        assertThat(chunks).extracting(List::size).containsExactly(Chunks.SIZE, Chunks.SIZE, 1);
        List<Integer> joined = new ArrayList<>();
        chunks.forEach(joined::addAll);
        assertThat(joined).isEqualTo(values);
    }

    @Test
    void exactlyOneChunkFullMakesOneChunk() {
        List<Integer> values = IntStream.range(0, Chunks.SIZE).boxed().toList();

        assertThat(Chunks.of(values)).containsExactly(values);
    }

    @Test
    void laterChangesOfTheValuesDoNotReachTheChunks() {
        List<String> values = new ArrayList<>(List.of("a", "b"));

        List<List<String>> chunks = Chunks.of(values);
        values.add("c");

        assertThat(chunks).containsExactly(List.of("a", "b"));
    }
}
