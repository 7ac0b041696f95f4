package io.github.keycloakreplica.sync;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {

    @Test
    void waitsTwiceAsLongAfterEachFailureUpToTheCapThenGivesUp() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(30), 5);

        assertThat(policy.backoffAfter(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.backoffAfter(2)).isEqualTo(Duration.ofSeconds(10));
        assertThat(policy.backoffAfter(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(policy.backoffAfter(4)).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.backoffAfter(5)).as("the last attempt failed").isNull();
        assertThat(RetryPolicy.DEFAULT.backoffAfter(4)).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void operationKindsAreNamedInTheError() {
        assertThat(OperationKind.of(" FULL ")).isEqualTo(OperationKind.FULL);
        assertThatThrownBy(() -> OperationKind.of("merge")).hasMessage("Unknown operation kind 'merge': this replica runs [full, targeted, orphans]");
    }
}
