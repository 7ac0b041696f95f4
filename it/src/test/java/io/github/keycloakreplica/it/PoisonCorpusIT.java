package io.github.keycloakreplica.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/** The poison corpus on H2 (PostgresReplicaIT runs it on PostgreSQL): no bad record stops the site or leaks a secret. */
@ExtendWith(ReplicaStack.class)
class PoisonCorpusIT {

    @Test
    void everyMalformedKindIsDeadLetteredTheValidEventsAfterItApplyAndNothingStallsOrLeaks(ReplicaSite site) {
        int kinds = new PoisonCorpus(site).run();
        System.out.printf("poison corpus: %d malformed kinds dead-lettered on H2, every valid event after them applied%n", kinds);
        assertThat(kinds).isGreaterThanOrEqualTo(60);
    }
}
