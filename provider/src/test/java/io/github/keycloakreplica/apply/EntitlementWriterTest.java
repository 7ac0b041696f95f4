package io.github.keycloakreplica.apply;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class EntitlementWriterTest {

    private static final Map<String, Integer> REALM = Map.of("viewer", 1, "editor", 2, "admin", 3);

    @Test
    void namesResolveInTheirOrderAndTheMissingAreReported() {
        List<String> missing = new ArrayList<>();
        Set<Integer> found = EntitlementWriter.resolve(List.of("editor", "ghost", "viewer", "editor"), REALM::get, missing::add);
        assertThat(found).containsExactly(2, 1);
        assertThat(missing).containsExactly("ghost");
    }

    @Test
    void whatTheGuardRefusesIsDroppedWithItsReason() {
        List<String> unresolved = new ArrayList<>();
        Set<Integer> found = new LinkedHashSet<>(List.of(1, 3, 2));
        Set<Integer> granted = EntitlementWriter.grantable(found, role -> role == 3 ? "role 3 is administrative" : null, unresolved::add);
        assertThat(granted).containsExactly(1, 2);
        assertThat(unresolved).containsExactly("role 3 is administrative");
    }

    @Test
    void nothingRefusedLeavesNothingUnresolved() {
        List<String> unresolved = new ArrayList<>();
        Set<Integer> granted = EntitlementWriter.grantable(new LinkedHashSet<>(List.of(1, 2)), role -> null, unresolved::add);
        assertThat(granted).containsExactly(1, 2);
        assertThat(unresolved).isEmpty();
    }
}
