package io.github.keycloakreplica.credential;

import io.github.keycloakreplica.config.WritePathSettings;
import io.github.keycloakreplica.stream.CredentialChangeRequest;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.WritePathCodec;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WritePathClientTest {

    private static final WritePathCodec CODEC = new WritePathCodec();
    private static final WritePathSettings SETTINGS = WritePathSettings.parse("https://hq.example.com/w", "site-a", "s3cret", "3");
    private static final String ALICE = "5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11";

    private final List<Map<String, String>> headersSent = new ArrayList<>();
    private final List<byte[]> bodiesSent = new ArrayList<>();

    private WritePathClient answering(int status, byte[] body) {
        return new WritePathClient(SETTINGS, CODEC, (settings, headers, request) -> {
            headersSent.add(headers);
            bodiesSent.add(request);
            return new WritePathClient.Answer(status, body);
        }, "the HQ Keycloak");
    }

    private static CredentialUpsert password(String subject, long version) {
        return new CredentialUpsert(new Envelope("e-" + version, "keycloak://hq/realms/acme", EventType.CREDENTIAL_UPSERTED, subject, null),
                new ReplicatedCredential("pw-1", "password", version, "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":210000}",
                        "{\"value\":\"aGFzaA==\",\"salt\":\"c2FsdA==\"}", 1L, null));
    }

    @Test
    void aConfirmationIsTheEventsTheAuthorityPublished() throws Exception {
        CredentialUpsert published = password(ALICE, 4);
        CredentialChangeRequest request = CredentialChangeRequest.setPassword("site-a", ALICE, "n3w-Secret-pw");

        List<StreamEvent> events = answering(200, CODEC.encodeConfirmation(List.of(published))).submit(request);

        assertThat(events).singleElement().isInstanceOfSatisfying(CredentialUpsert.class, e -> {
            assertThat(e.envelope().id()).isEqualTo("e-4");
            assertThat(e.credential().version()).isEqualTo(4);
        });
        Map<String, String> headers = headersSent.get(0);
        assertThat(headers.get("Authorization")).isEqualTo("Basic " + Base64.getEncoder().encodeToString("site-a:s3cret".getBytes(StandardCharsets.UTF_8)));
        assertThat(headers.get("Idempotency-Key")).isEqualTo(request.id());
        // What went out is a request the published schema accepts, password included.
        assertThat(CODEC.decodeRequest(bodiesSent.get(0))).isEqualTo(request);
    }

    @Test
    void theAuthoritysNoIsShownInItsOwnWordsMadeSafe() {
        byte[] body = "{\"error\":\"invalid_password\",\"error_description\":\"Password can't be {0} or shorter than 12\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> answering(400, body).submit(CredentialChangeRequest.setPassword("site-a", ALICE, "short")))
                .isInstanceOfSatisfying(WritePathException.class, e -> {
                    assertThat(e.kind()).isEqualTo(WritePathException.Kind.REFUSED);
                    assertThat(e.getMessage()).isEqualTo("Password can’t be (0) or shorter than 12");
                });
        assertThatThrownBy(() -> answering(409, new byte[0]).submit(CredentialChangeRequest.remove("site-a", ALICE, "otp-1", "otp", 2)))
                .hasMessage("the HQ Keycloak refused the change (HTTP 409)");
    }

    @Test
    void noUsableAnswerLeavesTheChangeUnconfirmed() {
        CredentialChangeRequest request = CredentialChangeRequest.setPassword("site-a", ALICE, "n3w-Secret-pw");
        WritePathClient unreachable = new WritePathClient(SETTINGS, CODEC, (s, h, b) -> {
            throw new ConnectException("Connection refused");
        }, "the HQ Keycloak");

        assertUnconfirmed(() -> unreachable.submit(request), "the HQ Keycloak could not be reached (ConnectException)");
        assertUnconfirmed(() -> answering(503, new byte[0]).submit(request), "the HQ Keycloak answered HTTP 503");
        assertUnconfirmed(() -> answering(401, new byte[0]).submit(request), "did not accept this site's write path credentials (HTTP 401)");
        assertUnconfirmed(() -> answering(200, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8)).submit(request), "has no 'events' array");
        assertUnconfirmed(() -> answering(200, "{\"events\":[]}".getBytes(StandardCharsets.UTF_8)).submit(request), "no events");
        assertUnconfirmed(() -> answering(200, CODEC.encodeConfirmation(List.of(password("someone-else", 1)))).submit(request),
                "an event of another subject");
        IdentityDeletion deletion = new IdentityDeletion(new Envelope("d-1", "keycloak://hq", EventType.IDENTITY_DELETED, ALICE, null),
                Map.of("username", 2L));
        assertUnconfirmed(() -> answering(200, CODEC.encodeConfirmation(List.of(deletion))).submit(request), "credential events only");
        assertUnconfirmed(() -> answering(200, "{\"events\":[{\"type\":\"replica.credential.revoked\"}]}".getBytes(StandardCharsets.UTF_8))
                .submit(request), "event $.events[0] does not match");
    }

    @Test
    void neitherThePasswordNorTheSecretReachesAnError() {
        CredentialChangeRequest request = CredentialChangeRequest.create("site-a", ALICE, "otp", "phone", "{\"digits\":6}",
                "{\"value\":\"JBSWY3DPEHPK3PXP\"}");
        WritePathClient failing = new WritePathClient(SETTINGS, CODEC, (s, h, b) -> {
            throw new IOException("wrote " + new String(b, StandardCharsets.UTF_8));
        }, "HQ");

        assertThatThrownBy(() -> failing.submit(request)).message().doesNotContain("JBSWY3DPEHPK3PXP");
        assertThat(request.toString()).doesNotContain("JBSWY3DPEHPK3PXP");
        assertThat(CredentialChangeRequest.setPassword("site-a", ALICE, "n3w-Secret-pw").toString()).doesNotContain("n3w-Secret-pw");
    }

    @Test
    void aRemovalIsConfirmedByARevocation() throws Exception {
        CredentialRevocation revoked = new CredentialRevocation(new Envelope("r-1", "keycloak://hq", EventType.CREDENTIAL_REVOKED, ALICE, null),
                "otp-1", "otp", 3);

        assertThat(answering(200, CODEC.encodeConfirmation(List.of(revoked))).submit(CredentialChangeRequest.remove("site-a", ALICE, "otp-1", "otp", 2)))
                .containsExactly(revoked);
    }

    private static void assertUnconfirmed(ThrowableAssert.ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(WritePathException.class, e -> {
            assertThat(e.kind()).isEqualTo(WritePathException.Kind.UNCONFIRMED);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
