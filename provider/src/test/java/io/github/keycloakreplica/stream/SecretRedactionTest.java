package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SecretRedactionTest {

    @Test
    void replacesSecretDataWhereverItSits() {
        String redacted = SecretRedaction.redact(("{\"data\":{\"credential\":{\"secretData\":\"{\\\"value\\\":\\\"HASH\\\"}\","
                + "\"credentialData\":\"{}\"},\"list\":[{\"secretData\":\"SEED\"}]}}").getBytes(StandardCharsets.UTF_8), true);

        assertThat(redacted).doesNotContain("HASH").doesNotContain("SEED").contains(SecretRedaction.REDACTED).contains("credentialData");
    }

    @Test
    void withholdsUnparseableRecordsOfSecretBearingTopics() {
        byte[] garbage = "secretData=HASH not json".getBytes(StandardCharsets.UTF_8);

        assertThat(SecretRedaction.redact(garbage, true)).doesNotContain("HASH").startsWith("<withheld");
        assertThat(SecretRedaction.redact(garbage, false)).isEqualTo("secretData=HASH not json");
    }

    @Test
    void truncatesHugeRecords() {
        byte[] huge = "x".repeat(SecretRedaction.MAX_KEPT_CHARS + 10).getBytes(StandardCharsets.UTF_8);

        assertThat(SecretRedaction.redact(huge, false)).hasSizeLessThan(SecretRedaction.MAX_KEPT_CHARS + 20).endsWith("(truncated)");
    }
}
