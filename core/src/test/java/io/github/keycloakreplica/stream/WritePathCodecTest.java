package io.github.keycloakreplica.stream;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WritePathCodecTest {

    private static final WritePathCodec CODEC = new WritePathCodec();
    private static final String ALICE = "5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11";

    @Test
    void everyKindOfRequestSurvivesTheRoundTripAndMatchesTheSchema() throws Exception {
        for (CredentialChangeRequest request : new CredentialChangeRequest[]{
                CredentialChangeRequest.setPassword("site-a", ALICE, "n3w-Secret-pw"),
                CredentialChangeRequest.create("site-a", ALICE, "otp", "phone", "{\"digits\":6}", "{\"value\":\"JBSWY3DPEHPK3PXP\"}"),
                CredentialChangeRequest.create("site-a", ALICE, "webauthn", null, "{\"aaguid\":\"x\"}", "{}\u0020"),
                CredentialChangeRequest.remove("site-a", ALICE, "otp-1", "otp", 2),
                CredentialChangeRequest.relabel("site-a", ALICE, "otp-1", "otp", 2, "old phone"),
                CredentialChangeRequest.relabel("site-a", ALICE, "otp-1", "otp", 2, null)}) {
            assertThat(CODEC.decodeRequest(CODEC.encode(request))).isEqualTo(request);
        }
    }

    @Test
    void theSchemaRefusesRequestsThatDoNotSayEnough() {
        assertRefused("{\"id\":\"1\",\"site\":\"a\",\"subject\":\"s\",\"change\":\"password.set\"}", "password");
        assertRefused("{\"id\":\"1\",\"site\":\"a\",\"subject\":\"s\",\"change\":\"credential.remove\",\"credential\":{\"id\":\"c\",\"type\":\"otp\"}}",
                "version");
        assertRefused("{\"id\":\"1\",\"site\":\"a\",\"subject\":\"s\",\"change\":\"credential.create\",\"credential\":{\"id\":\"c\",\"type\":\"otp\","
                + "\"credentialData\":\"{}\",\"secretData\":\"{}\"}}", "does not match");
        assertRefused("{\"id\":\"1\",\"site\":\"a\",\"subject\":\"s\",\"change\":\"credential.merge\"}", "change");
        assertRefused("[1]", "not an object");
    }

    @Test
    void schemaErrorsNeverQuoteThePassword() {
        String body = "{\"id\":\"1\",\"site\":\"a\",\"subject\":\"s\",\"change\":\"credential.remove\",\"password\":\"hunter2-secret\","
                + "\"credential\":{\"id\":\"c\",\"type\":\"otp\",\"version\":1}}";
        assertThatThrownBy(() -> CODEC.decodeRequest(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class)
                .message().doesNotContain("hunter2-secret");
    }

    private static void assertRefused(String body, String mentioned) {
        assertThatThrownBy(() -> CODEC.decodeRequest(body.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(mentioned);
    }
}
