package io.github.keycloakreplica.admin;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AdminInputTest {

    @Test
    void aTextLongerThanItsColumnIsNamedWithTheLimit() {
        assertThat(AdminInput.problem("reason", "r".repeat(1_025), AdminInput.MAX_REASON, true))
                .isEqualTo("reason is at most 1,024 characters; this one has 1,025.");
        assertThat(AdminInput.problem("reason", "r".repeat(1_024), AdminInput.MAX_REASON, true)).isNull();
        assertThat(AdminInput.problem("reason", "  " + "r".repeat(1_024) + "\n", AdminInput.MAX_REASON, true))
                .as("what is stored is trimmed").isNull();
        assertThat(AdminInput.problem("idempotencyKey", "k".repeat(256), AdminInput.MAX_IDEMPOTENCY_KEY, false))
                .isEqualTo("idempotencyKey is at most 255 characters; this one has 256.");
        assertThat(AdminInput.problem("reason", null, AdminInput.MAX_REASON, true)).as("absent is for the caller to judge").isNull();
    }

    @Test
    void aNulIsRefusedEverywhereAndLineBreaksOnlyWhereTheyBelong() {
        assertThat(AdminInput.problem("reason", "left\u0000today", AdminInput.MAX_REASON, true))
                .isEqualTo("reason contains the control character U+0000 at position 5; only line breaks and tabs may be in it.");
        assertThat(AdminInput.problem("reason", "ticket 4711:\r\n\tleft today", AdminInput.MAX_REASON, true)).isNull();
        assertThat(AdminInput.problem("idempotencyKey", "ticket\n4711", AdminInput.MAX_IDEMPOTENCY_KEY, false))
                .isEqualTo("idempotencyKey contains the control character U+000A at position 7; it may not have any.");
        assertThat(AdminInput.problem("idempotencyKey", "ticket-4711\u0000", AdminInput.MAX_IDEMPOTENCY_KEY, false))
                .as("trimmed away, as before it is stored").isNull();
    }

    @Test
    void aPathParameterIsCheckedAsItIsLookedUp() {
        assertThat(AdminInput.pathProblem("A subject", "5d1c9a4e\u0000", AdminInput.MAX_SUBJECT))
                .isEqualTo("A subject contains the control character U+0000 at position 9; it may not have any.");
        assertThat(AdminInput.pathProblem("A subject", "s".repeat(256), AdminInput.MAX_SUBJECT))
                .isEqualTo("A subject is at most 255 characters; this one has 256.");
        assertThat(AdminInput.pathProblem("The operation id", "incremental-" + "c".repeat(36), AdminInput.MAX_OPERATION_ID)).isNull();
    }

    @Test
    void listItemsAreNamedByTheirIndex() {
        assertThat(AdminInput.problem("subjects", List.of("a", "b", "c".repeat(256)), AdminInput.MAX_SUBJECT))
                .isEqualTo("subjects[2] is at most 255 characters; this one has 256.");
        assertThat(AdminInput.problem("subjects", Arrays.asList("a", null, "b\u0007c"), AdminInput.MAX_SUBJECT))
                .startsWith("subjects[2] contains the control character U+0007");
        assertThat(AdminInput.problem("subjects", (List<String>) null, AdminInput.MAX_SUBJECT)).isNull();
    }

    @Test
    void pagesAndOffsetsReachTheDatabaseBounded() {
        assertThat(AdminInput.page(-5)).isEqualTo(1);
        assertThat(AdminInput.page(0)).isEqualTo(1);
        assertThat(AdminInput.page(100)).isEqualTo(100);
        assertThat(AdminInput.page(Integer.MAX_VALUE)).isEqualTo(AdminInput.MAX_PAGE);
        assertThat(AdminInput.offset(Integer.MIN_VALUE)).isZero();
        assertThat(AdminInput.offset(40)).isEqualTo(40);
    }

    @Test
    void aQuotedTextIsOneShortLine() {
        assertThat(AdminInput.quoted(" ali\u202Ece ")).isEqualTo("'ali\\u202Ece'");
        assertThat(AdminInput.quoted("x".repeat(300))).hasSize(103);
    }
}
