package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.VersionedValue;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever order and duplication the upsert of one attribute arrives in, the stored version only ever
 * grows, ends at the highest version delivered, and a delivery is applied at most once.
 */
class ApplyPlannerProperties {

    @Property(tries = 2000)
    void storedVersionsOnlyGrowAndEndAtTheMaximum(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 1, max = 12) Integer> deliveries) {
        Map<String, Long> stored = new HashMap<>();
        stored.put("username", 1L);
        int applied = 0;
        for (int version : deliveries) {
            SubjectState state = new SubjectState(true, false, stored, Map.of());
            IdentityUpsert event = new IdentityUpsert(ApplyPlannerTest.envelope(EventType.IDENTITY_UPSERTED),
                    Map.of("email", new VersionedValue(TextNode.valueOf("v" + version), version)));
            ApplyPlanner.IdentityPlan plan = ApplyPlanner.planUpsert(state, event);
            long before = stored.getOrDefault("email", 0L);
            if (plan.outcome() == Outcome.APPLIED) {
                applied++;
                assertThat(version).isGreaterThan((int) before);
                stored.put("email", (long) version);
            } else {
                assertThat(plan.outcome()).isEqualTo(Outcome.STALE);
                assertThat(version).isLessThanOrEqualTo((int) before);
            }
        }
        int max = deliveries.stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(stored.get("email")).isEqualTo((long) max);
        assertThat(applied).isLessThanOrEqualTo((int) deliveries.stream().distinct().count());
    }
}
