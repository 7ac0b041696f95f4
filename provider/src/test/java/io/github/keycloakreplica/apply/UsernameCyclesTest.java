package io.github.keycloakreplica.apply;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class UsernameCyclesTest {

    @Test
    void aRotationAmongThreeIsOneCycleInWaitingOrder() {
        Map<String, String> waits = new LinkedHashMap<>();
        waits.put("a", "b");
        waits.put("b", "c");
        waits.put("c", "a");

        assertThat(UsernameCycles.find(waits)).containsExactly(List.of("a", "b", "c"));
    }

    @Test
    void aSwapIsACycleOfTwoAndAChainLeadingIntoACycleIsNotPartOfIt() {
        Map<String, String> waits = new LinkedHashMap<>();
        waits.put("x", "a");
        waits.put("a", "b");
        waits.put("b", "a");

        assertThat(UsernameCycles.find(waits)).containsExactly(List.of("a", "b"));
    }

    @Test
    void aChainThatEndsWithAHolderWhoWaitsForNothingIsNoCycle() {
        Map<String, String> waits = new LinkedHashMap<>();
        waits.put("c", "b");
        waits.put("b", "a");

        assertThat(UsernameCycles.find(waits)).isEmpty();
    }

    @Test
    void separateCyclesAreEachFoundOnce() {
        Map<String, String> waits = new LinkedHashMap<>();
        waits.put("a", "b");
        waits.put("b", "a");
        waits.put("c", "d");
        waits.put("d", "e");
        waits.put("e", "c");
        waits.put("f", "f");

        assertThat(UsernameCycles.find(waits)).containsExactly(List.of("a", "b"), List.of("c", "d", "e"), List.of("f"));
    }
}
