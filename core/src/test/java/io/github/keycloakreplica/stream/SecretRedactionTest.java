package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static io.github.keycloakreplica.stream.SecretRedaction.DeadLetterPayload.Form.REDACTED;
import static io.github.keycloakreplica.stream.SecretRedaction.DeadLetterPayload.Form.TEXT;
import static io.github.keycloakreplica.stream.SecretRedaction.DeadLetterPayload.Form.WITHHELD;
import static org.assertj.core.api.Assertions.assertThat;

class SecretRedactionTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String CREDENTIAL = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"keycloak://primary/realms/acme\","
            + "\"type\":\"replica.credential.upserted\",\"subject\":\"s-1\",\"data\":{\"credential\":{\"id\":\"c1\",\"type\":\"password\","
            + "\"version\":2,\"credentialData\":\"{\\\"algorithm\\\":\\\"pbkdf2-sha512\\\",\\\"hashIterations\\\":210000}\","
            + "\"secretData\":\"{\\\"value\\\":\\\"HASH\\\",\\\"salt\\\":\\\"SALT\\\"}\",\"createdDate\":5,\"userLabel\":\"mine\"}}}";

    private static SecretRedaction.DeadLetterPayload credential(String text) {
        return SecretRedaction.forDeadLetter(text.getBytes(StandardCharsets.UTF_8), true);
    }

    @Test
    void aCredentialRecordKeepsOnlyItsAllowlistedFieldsAndTheLengthsOfItsContents() throws Exception {
        SecretRedaction.DeadLetterPayload kept = credential(CREDENTIAL);

        assertThat(kept.form()).isEqualTo(REDACTED);
        assertThat(kept.text()).doesNotContain("HASH").doesNotContain("SALT").doesNotContain("pbkdf2");
        JsonNode node = MAPPER.readTree(kept.text());
        assertThat(node.at("/data/credential/id").asText()).isEqualTo("c1");
        assertThat(node.at("/data/credential/userLabel").asText()).isEqualTo("mine");
        assertThat(node.at("/data/credential/version").asLong()).isEqualTo(2);
        assertThat(node.at("/data/credential/secretData").asText()).isEqualTo("<redacted> (30 characters)");
        assertThat(node.at("/subject").asText()).isEqualTo("s-1");
    }

    @Test
    void aCredentialsSnapshotIsRedactedCredentialByCredential() {
        String snapshot = "{\"type\":\"replica.credentials.snapshot\",\"subject\":\"s\",\"data\":{\"credentials\":["
                + "{\"id\":\"c1\",\"type\":\"otp\",\"version\":1,\"credentialData\":\"{}\",\"secretData\":\"{\\\"value\\\":\\\"SEED\\\"}\"},"
                + "{\"id\":\"c0\",\"version\":4,\"revoked\":true}]}}";

        SecretRedaction.DeadLetterPayload kept = credential(snapshot);

        assertThat(kept.form()).isEqualTo(REDACTED);
        assertThat(kept.text()).doesNotContain("SEED").contains("\"revoked\":true").contains("\"c0\"");
    }

    @Test
    void brokenJsonKeepsOnlyItsSizeHashAndReason() throws Exception {
        byte[] broken = CREDENTIAL.substring(0, CREDENTIAL.length() - 20).getBytes(StandardCharsets.UTF_8);

        SecretRedaction.DeadLetterPayload kept = SecretRedaction.forDeadLetter(broken, true);

        assertThat(kept.form()).isEqualTo(WITHHELD);
        JsonNode node = MAPPER.readTree(kept.text());
        assertThat(node.get("bytes").asInt()).isEqualTo(broken.length);
        assertThat(node.get("sha256").asText()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(broken)));
        assertThat(node.get("withheld").asText()).contains("not valid JSON");
        assertThat(kept.text()).doesNotContain("HASH").doesNotContain("SALT");
    }

    @Test
    void aDoubleEncodedEventIsWithheld() throws Exception {
        SecretRedaction.DeadLetterPayload kept = credential(MAPPER.writeValueAsString(CREDENTIAL));

        assertThat(kept.form()).isEqualTo(WITHHELD);
        assertThat(kept.text()).doesNotContain("HASH").contains("not an object");
    }

    @Test
    void aSecretUnderAnyOtherNameIsWithheldNotGuessedAt() {
        for (String name : new String[]{"SecretData", "secret", "secret_data", "value", "hash", "credentialdata"}) {
            String text = CREDENTIAL.replace("\"userLabel\":\"mine\"", "\"" + name + "\":\"HASH-UNDER-" + name + "\"");

            SecretRedaction.DeadLetterPayload kept = credential(text);

            assertThat(kept.form()).as(name).isEqualTo(WITHHELD);
            assertThat(kept.text()).as(name).doesNotContain("HASH").contains("$.data.credential");
        }
    }

    @Test
    void aSecretInsideCredentialDataUnderAnotherNameIsNeverKept() {
        String text = CREDENTIAL.replace("{\\\"algorithm\\\":\\\"pbkdf2-sha512\\\"", "{\\\"SecretData\\\":\\\"HASH\\\",\\\"algorithm\\\":\\\"pbkdf2-sha512\\\"");

        assertThat(credential(text).text()).doesNotContain("HASH");
    }

    @Test
    void anAllowlistedFieldOfTheWrongShapeIsWithheld() {
        assertThat(credential(CREDENTIAL.replace("\"version\":2", "\"version\":\"HASH\"")).form()).isEqualTo(WITHHELD);
        assertThat(credential(CREDENTIAL.replace("\"userLabel\":\"mine\"", "\"revoked\":\"HASH\"")).form()).isEqualTo(WITHHELD);
        assertThat(credential(CREDENTIAL.replace("\"id\":\"c1\"", "\"id\":{\"secretData\":\"HASH\"}")).form()).isEqualTo(WITHHELD);
        assertThat(credential(CREDENTIAL.replace("\"id\":\"c1\"", "\"id\":\"" + "H".repeat(256) + "\"")).form()).isEqualTo(WITHHELD);
        assertThat(credential(CREDENTIAL.replace("\"subject\":\"s-1\"", "\"subject\":[\"HASH\"]")).text()).doesNotContain("HASH");
    }

    @Test
    void aCredentialRecordWithTrailingGarbageOrTwoEventsIsWithheld() {
        assertThat(credential(CREDENTIAL + "{\"secretData\":\"HASH2\"}").form()).isEqualTo(WITHHELD);
        assertThat(credential(CREDENTIAL + " x").text()).doesNotContain("HASH").contains("has more after its JSON value");
    }

    @Test
    void theNameOfAnUnexpectedFieldIsNotShownEither() {
        String text = CREDENTIAL.replace("\"userLabel\":\"mine\"", "\"$2a$10$HASHASAKEY\":1");

        assertThat(credential(text).text()).doesNotContain("HASHASAKEY");
    }

    @Test
    void aCredentialRecordOnAnIdentityTopicIsTreatedAsOne() {
        SecretRedaction.DeadLetterPayload kept = SecretRedaction.forDeadLetter(CREDENTIAL.getBytes(StandardCharsets.UTF_8), false);

        assertThat(kept.form()).isEqualTo(REDACTED);
        assertThat(kept.text()).doesNotContain("HASH");
        assertThat(SecretRedaction.forDeadLetter("garbage secretData=HASH".getBytes(StandardCharsets.UTF_8), false).form()).isEqualTo(WITHHELD);
    }

    @Test
    void identityRecordsKeepTheirTextWithSecretNamedFieldsReplaced() {
        String identity = "{\"type\":\"replica.identity.upserted\",\"data\":{\"attributes\":{\"email\":{\"value\":\"a@b.c\",\"version\":1},"
                + "\"password\":{\"value\":\"PLAIN\",\"version\":1}}}}";

        SecretRedaction.DeadLetterPayload kept = SecretRedaction.forDeadLetter(identity.getBytes(StandardCharsets.UTF_8), false);

        assertThat(kept.form()).isEqualTo(TEXT);
        assertThat(kept.text()).contains("a@b.c").doesNotContain("PLAIN").contains(SecretRedaction.REDACTED);
    }

    @Test
    void identityRecordsThatAreNotJsonKeepTheirTextOnOneLine() {
        byte[] text = "not json\nINFO forged\u0000 line \u2028".getBytes(StandardCharsets.UTF_8);
        byte[] invalid = {'a', (byte) 0xFF, 'b'};

        assertThat(SecretRedaction.redact(text, false)).isEqualTo("not json\\u000AINFO forged\\u0000 line \\u2028");
        assertThat(SecretRedaction.redact(invalid, false)).isEqualTo("a\uFFFDb");
        assertThat(SecretRedaction.redact("{\"a\":\"x\\u0000\\u2028y\"}".getBytes(StandardCharsets.UTF_8), false))
                .isEqualTo("{\"a\":\"x\\u0000\\u2028y\"}");
    }

    @Test
    void trailingGarbageOfAnIdentityRecordIsShownAsItCame() {
        assertThat(SecretRedaction.redact("{\"a\":1} trailing".getBytes(StandardCharsets.UTF_8), false)).isEqualTo("{\"a\":1} trailing");
    }

    @Test
    void truncatesHugeRecords() {
        byte[] huge = "x".repeat(SecretRedaction.MAX_KEPT_CHARS + 10).getBytes(StandardCharsets.UTF_8);

        assertThat(SecretRedaction.redact(huge, false)).hasSizeLessThan(SecretRedaction.MAX_KEPT_CHARS + 20).endsWith("(truncated)");
        assertThat(SecretRedaction.forDeadLetter(new byte[StreamCodec.MAX_RECORD_BYTES + 1], true).form()).isEqualTo(WITHHELD);
    }

    @Test
    void aTombstoneKeepsNothing() {
        assertThat(SecretRedaction.forDeadLetter(null, true)).isNull();
        assertThat(SecretRedaction.redact(null, false)).isNull();
    }

    @Test
    void theTopicsThatMayCarrySecretsAreTheCredentialTopics() {
        Topics topics = new Topics("acme");

        assertThat(topics.mayCarrySecrets("acme.credentials")).isTrue();
        assertThat(topics.mayCarrySecrets("acme.credentials.snapshot")).isTrue();
        assertThat(topics.mayCarrySecrets("acme.identity")).isFalse();
        assertThat(topics.mayCarrySecrets("acme.identity.snapshot")).isFalse();
        assertThat(topics.mayCarrySecrets("acme.heartbeat")).isFalse();
    }
}
