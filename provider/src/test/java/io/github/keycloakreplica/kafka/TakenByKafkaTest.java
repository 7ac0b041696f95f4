package io.github.keycloakreplica.kafka;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TakenByKafkaTest {

    @Test
    void batchesTakenBeforeTheNextTransactionAreAllWrittenDownTogether() {
        TakenByKafka taken = TakenByKafka.NOTHING.published(List.of(1L, 2L), 1_000).published(List.of(3L), 1_100);

        assertThat(taken.seqs()).containsExactly(1L, 2L, 3L);
        assertThat(taken.publishedAt()).isEqualTo(1_100);
        assertThat(taken.heartbeatAt()).as("each batch carries a heartbeat").isEqualTo(1_100);
    }

    @Test
    void aHeartbeatAloneMovesOnlyTheHeartbeat() {
        TakenByKafka taken = TakenByKafka.NOTHING.published(List.of(7L), 1_000).heartbeat(6_000);

        assertThat(taken.seqs()).containsExactly(7L);
        assertThat(taken.publishedAt()).isEqualTo(1_000);
        assertThat(taken.heartbeatAt()).isEqualTo(6_000);
        assertThat(TakenByKafka.NOTHING.seqs()).as("the shared empty value is never changed").isEmpty();
    }
}
