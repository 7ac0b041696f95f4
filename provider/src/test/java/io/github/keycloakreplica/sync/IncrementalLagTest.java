package io.github.keycloakreplica.sync;

import io.github.keycloakreplica.store.PartitionPosition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalLagTest {

    @Test
    void lagIsWhatTheNewestHeartbeatNamedMinusWhatWasApplied() {
        List<IncrementalLag.PartitionLag> lag = IncrementalLag.of(
                Map.of("acme.identity", Map.of(0, 120L, 1, 80L), "acme.credentials", Map.of(0, 10L)),
                List.of(new PartitionPosition("acme.identity", 0, 100), new PartitionPosition("acme.identity", 1, 80),
                        new PartitionPosition("acme.credentials", 0, 12)));

        assertThat(lag).containsExactly(
                new IncrementalLag.PartitionLag("acme.credentials", 0, 12, 10L, 0L),
                new IncrementalLag.PartitionLag("acme.identity", 0, 100, 120L, 20L),
                new IncrementalLag.PartitionLag("acme.identity", 1, 80, 80L, 0L));
        assertThat(IncrementalLag.total(lag)).isEqualTo(20);
    }

    @Test
    void aPartitionNeverAppliedLagsByAllItHoldsAndWithoutAHeartbeatTheLagIsUnknown() {
        List<IncrementalLag.PartitionLag> lag = IncrementalLag.of(Map.of("acme.identity", Map.of(2, 7L)),
                List.of(new PartitionPosition("acme.credentials", 1, 4)));

        assertThat(lag).containsExactly(
                new IncrementalLag.PartitionLag("acme.credentials", 1, 4, null, null),
                new IncrementalLag.PartitionLag("acme.identity", 2, 0, 7L, 7L));
        assertThat(IncrementalLag.of(null, List.of(new PartitionPosition("acme.identity", 0, 3))))
                .containsExactly(new IncrementalLag.PartitionLag("acme.identity", 0, 3, null, null));
    }
}
