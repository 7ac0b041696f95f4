package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamCodecTest {

    private static final StreamCodec CODEC = new StreamCodec();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = StreamCodecTest.class.getResourceAsStream("/events/" + name)) {
            return in.readAllBytes();
        }
    }

    private static ObjectNode json(String name) throws IOException {
        return (ObjectNode) MAPPER.readTree(resource(name));
    }

    private static StreamEvent decode(ObjectNode node) throws InvalidEventException {
        return CODEC.decode(node.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheIdentityExampleOfTheDesign() throws Exception {
        StreamEvent event = CODEC.decode(resource("identity-upserted.json"));

        assertThat(event).isInstanceOf(IdentityUpsert.class);
        IdentityUpsert upsert = (IdentityUpsert) event;
        assertThat(upsert.subject()).isEqualTo("5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11");
        assertThat(upsert.envelope().source()).isEqualTo("keycloak://primary/realms/acme");
        assertThat(upsert.attributes()).containsOnlyKeys("username", "email", "enabled", "realmRoles", "groups", "department");
        assertThat(upsert.attributes().get("email").version()).isEqualTo(7);
        assertThat(upsert.attributes().get("email").asText()).isEqualTo("alice@example.com");
        assertThat(upsert.attributes().get("enabled").asBoolean()).isTrue();
        assertThat(upsert.attributes().get("groups").asList()).containsExactly("/site-a/ops");
    }

    @Test
    void acceptsTheCredentialExampleOfTheDesign() throws Exception {
        CredentialUpsert upsert = (CredentialUpsert) CODEC.decode(resource("credential-upserted.json"));

        assertThat(upsert.credential().id()).isEqualTo("c7e1b0a2-3d4e-4f5a-8b9c-0d1e2f3a4b5c");
        assertThat(upsert.credential().type()).isEqualTo("password");
        assertThat(upsert.credential().version()).isEqualTo(2);
        assertThat(upsert.credential().createdDate()).isEqualTo(1763805601000L);
        assertThat(upsert.credential().toString()).doesNotContain("SECRET");
    }

    @Test
    void encodesWhatItDecodes() throws Exception {
        for (String name : new String[]{"identity-upserted.json", "credential-upserted.json"}) {
            StreamEvent event = CODEC.decode(resource(name));
            assertThat(CODEC.decode(CODEC.encode(event))).isEqualTo(event);
        }
        IdentityDeletion deletion = new IdentityDeletion(envelope(EventType.IDENTITY_DELETED), Map.of("username", 4L, "email", 8L));
        CredentialRevocation revocation = new CredentialRevocation(envelope(EventType.CREDENTIAL_REVOKED), "c1", "otp", 3);
        assertThat(CODEC.decode(CODEC.encode(deletion))).isEqualTo(deletion);
        assertThat(CODEC.decode(CODEC.encode(revocation))).isEqualTo(revocation);
    }

    @Test
    void snapshotsRoundTripWithRemovedAttributesAndRevokedCredentials() throws Exception {
        IdentitySnapshot identity = new IdentitySnapshot(envelope(EventType.IDENTITY_SNAPSHOT), Map.of(
                "username", new VersionedValue(TextNode.valueOf("alice"), 3),
                "department", new VersionedValue(null, 2),
                "enabled", new VersionedValue(BooleanNode.TRUE, 1)));
        CredentialsSnapshot credentials = new CredentialsSnapshot(envelope(EventType.CREDENTIALS_SNAPSHOT),
                List.of(new ReplicatedCredential("c1", "password", 2, "{}", "{\"value\":\"x\"}", 1L, null)),
                Map.of("c0", 4L));

        assertThat(CODEC.decode(CODEC.encode(identity))).isEqualTo(identity);
        assertThat(CODEC.decode(CODEC.encode(credentials))).isEqualTo(credentials);
        assertThat(((IdentitySnapshot) CODEC.decode(CODEC.encode(identity))).attributes().get("department").isAbsent()).isTrue();
    }

    @Test
    void refusesWhatIsNotJsonAndSaysWhere() {
        assertThatThrownBy(() -> CODEC.decode("{\"specversion\": \"1.0\", oops".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("is not valid JSON")
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> CODEC.decode(new byte[0])).hasMessageContaining("is empty");
        assertThatThrownBy(() -> CODEC.decode("[1,2]".getBytes(StandardCharsets.UTF_8))).hasMessageContaining("not an object");
    }

    @Test
    void refusesUnknownTypesNamingTheKnownOnes() throws Exception {
        ObjectNode node = json("identity-upserted.json");
        node.put("type", "replica.identity.renamed");
        assertThatThrownBy(() -> decode(node))
                .hasMessageContaining("unknown type 'replica.identity.renamed'")
                .hasMessageContaining("replica.identity.upserted");
    }

    @Test
    void refusesSchemaViolationsNamingThePath() throws Exception {
        ObjectNode wrongType = json("identity-upserted.json");
        ((ObjectNode) wrongType.at("/data/attributes/enabled")).set("value", TextNode.valueOf("yes"));
        assertThatThrownBy(() -> decode(wrongType))
                .hasMessageContaining("replica.identity.upserted schema")
                .hasMessageContaining("$.data.attributes.enabled.value");

        ObjectNode zeroVersion = json("identity-upserted.json");
        ((ObjectNode) zeroVersion.at("/data/attributes/email")).put("version", 0);
        assertThatThrownBy(() -> decode(zeroVersion)).hasMessageContaining("$.data.attributes.email.version");

        ObjectNode relativeGroup = json("identity-upserted.json");
        ((ObjectNode) relativeGroup.at("/data/attributes/groups")).set("value", MAPPER.readTree("[\"site-a\"]"));
        assertThatThrownBy(() -> decode(relativeGroup)).hasMessageContaining("$.data.attributes.groups.value[0]");

        ObjectNode noSubject = json("identity-upserted.json");
        noSubject.remove("subject");
        assertThatThrownBy(() -> decode(noSubject)).hasMessageContaining("subject");

        ObjectNode noAttributes = json("identity-upserted.json");
        ((ObjectNode) noAttributes.get("data")).putObject("attributes");
        assertThatThrownBy(() -> decode(noAttributes)).hasMessageContaining("$.data.attributes");

        ObjectNode badSpec = json("identity-upserted.json");
        badSpec.put("specversion", "0.3");
        assertThatThrownBy(() -> decode(badSpec)).hasMessageContaining("$.specversion");

        ObjectNode badTime = json("identity-upserted.json");
        badTime.put("time", "yesterday");
        assertThatThrownBy(() -> decode(badTime)).hasMessageContaining("$.time");
    }

    @Test
    void userAttributesTakeStringsListsOrNullButNotObjects() throws Exception {
        ObjectNode node = json("identity-upserted.json");
        ObjectNode attributes = (ObjectNode) node.at("/data/attributes");
        attributes.putObject("costCenter").put("version", 1).putNull("value");
        attributes.putObject("shift").put("version", 2).put("value", "night");
        IdentityUpsert upsert = (IdentityUpsert) decode(node);
        assertThat(upsert.attributes().get("costCenter").isAbsent()).isTrue();
        assertThat(upsert.attributes().get("shift").asList()).containsExactly("night");

        attributes.putObject("badge").put("version", 1).putObject("value").put("nested", true);
        assertThatThrownBy(() -> decode(node)).hasMessageContaining("$.data.attributes.badge.value");

        attributes.remove("badge");
        ((ObjectNode) attributes.get("shift")).set("value", BooleanNode.TRUE);
        assertThatThrownBy(() -> decode(node)).hasMessageContaining("$.data.attributes.shift.value");
    }

    @Test
    void clientRolesAreListsOfRoleNames() throws Exception {
        ObjectNode node = json("identity-upserted.json");
        ObjectNode attributes = (ObjectNode) node.at("/data/attributes");
        attributes.putObject("clientRoles.billing").put("version", 1).putArray("value").add("invoice-reader");
        IdentityUpsert upsert = (IdentityUpsert) decode(node);
        assertThat(upsert.attributes().get("clientRoles.billing").asList()).containsExactly("invoice-reader");

        ((ObjectNode) attributes.get("clientRoles.billing")).put("value", "invoice-reader");
        assertThatThrownBy(() -> decode(node)).hasMessageContaining("['clientRoles.billing'].value");
    }

    @Test
    void brokenCredentialsNeverLeakTheirSecretsIntoTheError() throws Exception {
        ObjectNode notJsonInside = json("credential-upserted.json");
        ((ObjectNode) notJsonInside.at("/data/credential")).put("secretData", "SECRET-HASH-VALUE-not-json");
        assertThatThrownBy(() -> decode(notJsonInside))
                .hasMessageContaining("$.data.credential.secretData")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));

        ObjectNode extraField = json("credential-upserted.json");
        ((ObjectNode) extraField.at("/data/credential")).put("plaintext", "SECRET-PASSWORD");
        assertThatThrownBy(() -> decode(extraField))
                .hasMessageContaining("plaintext")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET-PASSWORD"));

        byte[] truncated = "{\"type\":\"replica.credential.upserted\",\"data\":{\"credential\":{\"secretData\":\"SECRET-SEED".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CODEC.decode(truncated))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
    }

    @Test
    void duplicateKeysAreRefusedRatherThanSilentlyResolved() {
        byte[] duplicate = ("{\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"x\",\"type\":\"replica.identity.deleted\","
                + "\"subject\":\"s\",\"subject\":\"t\",\"data\":{\"attributes\":{\"username\":{\"version\":2}}}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CODEC.decode(duplicate)).hasMessageContaining("not valid JSON");
    }

    private static Envelope envelope(EventType type) {
        return new Envelope("id-" + type, "keycloak://primary/realms/acme", type, "subject-1", "2026-11-22T10:00:00Z");
    }

    @Test
    void aHeartbeatTravelsWithItsIntervalAndPositionsAndIsNoDeltaEvent() throws Exception {
        Heartbeat sent = new Heartbeat(new Envelope("hb-1", "keycloak://primary/realms/acme", EventType.HEARTBEAT, "heartbeat", null),
                Duration.ofSeconds(5), Map.of("acme.identity", Map.of(0, 1842L, 1, 1797L), "acme.credentials", Map.of(0, 311L)));

        byte[] bytes = CODEC.encode(sent);
        Heartbeat read = CODEC.decodeHeartbeat(bytes);

        assertThat(read.interval()).isEqualTo(sent.interval());
        assertThat(read.positions()).isEqualTo(sent.positions());
        assertThat(read.envelope().id()).isEqualTo("hb-1");
        assertThatThrownBy(() -> CODEC.decode(bytes)).isInstanceOf(InvalidEventException.class).hasMessageContaining("heartbeat topic");
    }
}
