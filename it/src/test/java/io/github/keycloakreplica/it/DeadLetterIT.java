package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.StreamCodec;
import io.github.keycloakreplica.stream.VersionedValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad input is recorded with a reason that says what and where; the stream keeps flowing. */
@ExtendWith(ReplicaStack.class)
class DeadLetterIT {

    @Test
    void malformedEventsAreRecordedWithTheirReasonAndTheNextValidEventStillApplies(ReplicaSite site) {
        Upstream upstream = site.upstream();
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("frank");

        // 1: not JSON at all.
        upstream.sendRaw(upstream.topics().identity(), subject, "{\"specversion\":\"1.0\", this is not json".getBytes(StandardCharsets.UTF_8));
        // 2: valid JSON, wrong shape: 'enabled' must be a boolean.
        ObjectNode wrongShape = (ObjectNode) Upstream.toJson(usernameOnly(upstream, subject, username));
        ((ObjectNode) wrongShape.at("/data/attributes")).putObject("enabled").put("value", "yes").put("version", 1);
        upstream.sendRaw(upstream.topics().identity(), subject, wrongShape.toString().getBytes(StandardCharsets.UTF_8));
        // 3: then the subject itself, valid, on the same partition behind the bad records.
        upstream.upsert(subject, People.person(username));
        // 4: a schema-valid password whose hash algorithm this Keycloak does not have, carrying a secret.
        CredentialUpsert unknownHash = upstream.credential(subject, UUID.randomUUID().toString(), "password",
                new KeycloakCredentials.Stored("{\"hashIterations\":1,\"algorithm\":\"argon9\"}", "{\"value\":\"TOPSECRETHASH\",\"salt\":\"c2FsdA==\"}"),
                null);
        // 5: a valid password after it.
        upstream.password(subject, UUID.randomUUID().toString(), "frank's password");

        site.awaitUser(username, u -> true);
        site.awaitToken(ReplicaSite.REALM, username, "frank's password");

        JsonNode notJson = site.awaitDeadLetter(d -> subject.equals(d.path("key").asText()) && d.path("reason").asText().contains("not valid JSON"));
        assertThat(notJson.get("reason").asText()).contains("line 1");
        assertThat(notJson.get("topic").asText()).isEqualTo(upstream.topics().identity());
        assertThat(notJson.get("offset").asLong()).isNotNegative();

        JsonNode wrongType = site.awaitDeadLetter(d -> subject.equals(d.path("key").asText()) && d.path("reason").asText().contains("schema"));
        assertThat(wrongType.get("reason").asText()).contains("$.data.attributes.enabled.value").contains("boolean");

        JsonNode badHash = site.awaitDeadLetter(d -> unknownHash.envelope().id().equals(d.path("eventId").asText()));
        assertThat(badHash.get("reason").asText()).contains("PasswordHashProvider");
        assertThat(badHash.get("eventType").asText()).isEqualTo("replica.credential.upserted");
        assertThat(badHash.toString()).doesNotContain("TOPSECRETHASH");
        assertThat(badHash.get("payload").asText()).contains("<redacted>");
    }

    @Test
    void anEventWhoseKeyIsNotItsSubjectIsRefusedBecauseOrderWouldBreak(ReplicaSite site) {
        Upstream upstream = site.upstream();
        String subject = UUID.randomUUID().toString();
        String username = People.uniqueName("gina");
        IdentityUpsert upsert = usernameOnly(upstream, subject, username);
        upstream.sendRaw(upstream.topics().identity(), "someone-else", new StreamCodec().encode(upsert));

        JsonNode letter = site.awaitDeadLetter(d -> upsert.envelope().id().equals(d.path("eventId").asText()));
        assertThat(letter.get("reason").asText()).contains("record key 'someone-else'").contains("subject '" + subject + "'");
        assertThat(site.user(username)).isEmpty();
    }

    /** An upsert built but not sent, for tests that send it their own way. */
    private static IdentityUpsert usernameOnly(Upstream upstream, String subject, String username) {
        return new IdentityUpsert(upstream.envelope(EventType.IDENTITY_UPSERTED, subject),
                Map.of("username", new VersionedValue(TextNode.valueOf(username), 1)));
    }
}
