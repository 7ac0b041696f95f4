package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each way a record can be malformed, once, with the reason it gets. */
class StrictDecodingTest {

    private static final StreamCodec CODEC = new StreamCodec();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ObjectNode json(String name) throws IOException {
        try (InputStream in = StrictDecodingTest.class.getResourceAsStream("/events/" + name)) {
            return (ObjectNode) MAPPER.readTree(in);
        }
    }

    private static ObjectNode identity() throws IOException {
        return json("identity-upserted.json");
    }

    private static ObjectNode credential() throws IOException {
        return json("credential-upserted.json");
    }

    private static StreamEvent decode(String text) throws InvalidEventException {
        return CODEC.decode(text.getBytes(StandardCharsets.UTF_8));
    }

    private static StreamEvent decode(JsonNode node) throws InvalidEventException {
        return decode(node.toString());
    }

    /** Replaces the number of $.data.attributes.email.version in the record's text, so any literal can be tried. */
    private static String withEmailVersion(String literal) throws IOException {
        ObjectNode node = identity();
        ((ObjectNode) node.at("/data/attributes/email")).put("version", 424242);
        return node.toString().replace("424242", literal);
    }

    // 1. Versions: exact integers from 1 to 2^63-1; decoding never throws anything but InvalidEventException.

    @ParameterizedTest
    @ValueSource(strings = {"9223372036854775808", "18446744073709551617", "1e19", "1.8446744073709551617e19", "0", "-1", "1.5",
            "1e-999999999", "1e999999999", "9223372036854775807.5"})
    void versionsOutsideOneTo2Pow63Minus1AreRefusedNeverWrapped(String literal) {
        assertThatThrownBy(() -> decode(withEmailVersion(literal)))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("$.data.attributes.email.version");
    }

    @Test
    void theLargestVersionIsAcceptedExactlyAndAnIntegralDecimalIsTheIntegerTheSchemaAccepts() throws Exception {
        IdentityUpsert largest = (IdentityUpsert) decode(withEmailVersion("9223372036854775807"));
        IdentityUpsert written = (IdentityUpsert) decode(withEmailVersion("7.0"));

        assertThat(largest.attributes().get("email").version()).isEqualTo(Long.MAX_VALUE);
        assertThat(written.attributes().get("email").version()).isEqualTo(7);
    }

    @Test
    void aVersionTheSchemaLibraryWouldWrapIsRefusedByTheCodec() {
        // 2^64+1 as a decimal: the schema library's comparison lets some such numbers through; the codec never does.
        assertThatThrownBy(() -> decode(withEmailVersion("18446744073709551617.0")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("$.data.attributes.email.version");
    }

    @Test
    void aNumberNoBigDecimalCanHoldIsRefusedNotThrown() throws Exception {
        assertThatThrownBy(() -> decode(withEmailVersion("1e99999999999")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("the record has a number beyond any range (its exponent is too large)");

        ObjectNode node = credential();
        ((ObjectNode) node.at("/data/credential")).put("credentialData", "{\"hashIterations\":601e9999999990000}");
        assertThatThrownBy(() -> decode(node))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("$.data.credential.credentialData has a number beyond any range (its exponent is too large)");
    }

    @Test
    void anEmptyAttributeNameIsRefusedWithItsPlace() throws Exception {
        ObjectNode node = identity();
        ((ObjectNode) node.at("/data/attributes")).putObject("").put("value", "x").put("version", 1);

        assertThatThrownBy(() -> decode(node))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("has an empty property name in $.data.attributes");
    }

    @Test
    void credentialVersionsAndDatesAreExactToo() throws Exception {
        String text = credential().toString();
        assertThatThrownBy(() -> decode(text.replace("\"version\":2", "\"version\":9223372036854775808")))
                .hasMessageContaining("$.data.credential.version");
        assertThatThrownBy(() -> decode(text.replace("1763805601000", "9223372036854775808")))
                .hasMessageContaining("$.data.credential.createdDate");
    }

    // 2. One JSON value per record and nothing after it; the same inside credentialData and secretData.

    @Test
    void trailingGarbageIsRefused() throws Exception {
        assertThatThrownBy(() -> decode(identity() + " garbage"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("has more after its JSON value")
                .hasMessageContaining("line 1");
    }

    @Test
    void twoEventsInOneRecordAreRefusedNotHalfApplied() throws Exception {
        assertThatThrownBy(() -> decode(identity().toString() + identity()))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining("it must hold exactly one JSON value");
    }

    @Test
    void credentialDataWithSomethingAfterItsObjectIsRefused() throws Exception {
        ObjectNode node = credential();
        ((ObjectNode) node.at("/data/credential")).put("credentialData", "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":1} {}");
        assertThatThrownBy(() -> decode(node)).hasMessage("$.data.credential.credentialData has more after its JSON value (from line 1, column 50): "
                + "it must hold exactly one JSON value");

        ObjectNode secret = credential();
        ((ObjectNode) secret.at("/data/credential")).put("secretData", "{\"value\":\"SECRET\"}x");
        assertThatThrownBy(() -> decode(secret))
                .hasMessageContaining("$.data.credential.secretData has more after its JSON value")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
    }

    @Test
    void aRecordThatIsAJsonStringIsNoEvent() throws Exception {
        String doubleEncoded = MAPPER.writeValueAsString(identity().toString());
        assertThatThrownBy(() -> decode(doubleEncoded)).hasMessageContaining("is JSON but not an object");
    }

    // 3. Text a database cannot store, anywhere in the record, on every database alike.

    @Test
    void theNulCharacterInAValueIsRefusedWithItsPlace() throws Exception {
        ObjectNode node = identity();
        ((ObjectNode) node.at("/data/attributes/username")).put("value", "ali\u0000ce");

        assertThatThrownBy(() -> decode(node))
                .hasMessage("at $.data.attributes.username.value holds the NUL character (U+0000), which PostgreSQL cannot store");
    }

    @Test
    void theNulCharacterInTheSubjectOrAnIdIsRefused() throws Exception {
        ObjectNode subject = identity();
        subject.put("subject", "5d1c\u0000");
        assertThatThrownBy(() -> decode(subject)).hasMessageStartingWith("at $.subject holds the NUL character");

        ObjectNode id = credential();
        ((ObjectNode) id.at("/data/credential")).put("id", "c7e1\u0000");
        assertThatThrownBy(() -> decode(id)).hasMessageStartingWith("at $.data.credential.id holds the NUL character");
    }

    @Test
    void theNulCharacterInAnAttributeNameIsRefusedAndShownEscaped() throws Exception {
        ObjectNode node = identity();
        ((ObjectNode) node.at("/data/attributes")).putObject("dept\u0000").put("value", "x").put("version", 1);

        assertThatThrownBy(() -> decode(node))
                .hasMessage("has a property name in $.data.attributes that holds the NUL character (U+0000), which PostgreSQL cannot store");
    }

    @Test
    void theNulCharacterInsideCredentialDataIsRefused() throws Exception {
        ObjectNode node = credential();
        ((ObjectNode) node.at("/data/credential")).put("credentialData", "{\"algorithm\":\"pbkdf2\\u0000\",\"hashIterations\":1}");

        assertThatThrownBy(() -> decode(node))
                .hasMessage("at $.algorithm inside the JSON of $.data.credential.credentialData holds the NUL character (U+0000), "
                        + "which PostgreSQL cannot store");
    }

    @Test
    void anUnpairedSurrogateIsRefused() throws Exception {
        String text = identity().toString().replace("\"alice\"", "\"ali\\ud800ce\"");

        assertThatThrownBy(() -> decode(text))
                .hasMessage("at $.data.attributes.username.value holds an unpaired UTF-16 surrogate, which no UTF-8 database can store");
    }

    @Test
    void aSurrogatePairIsText() throws Exception {
        ObjectNode node = identity();
        ((ObjectNode) node.at("/data/attributes/department")).put("value", "\uD83D\uDE80 launch");

        assertThat(((IdentityUpsert) decode(node)).attributes().get("department").asText()).isEqualTo("\uD83D\uDE80 launch");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirOffset() throws Exception {
        byte[] valid = identity().toString().getBytes(StandardCharsets.UTF_8);
        int at = identity().toString().indexOf("alice");
        for (byte[] bad : new byte[][]{{(byte) 0xC3, 0x28}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xFF}}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(valid, 0, at);
            out.write(bad);
            out.write(valid, at, valid.length - at);

            assertThatThrownBy(() -> CODEC.decode(out.toByteArray()))
                    .isInstanceOf(InvalidEventException.class)
                    .hasMessage("the record is not valid UTF-8 (invalid byte sequence at byte offset " + at + ")");
        }
    }

    @Test
    void recordKeysAreCheckedLikeSubjects() {
        assertThatCode(() -> StreamCodec.checkRecordKey(null)).doesNotThrowAnyException();
        assertThatCode(() -> StreamCodec.checkRecordKey("5d1c9a4e-8f0e-4c61-9f5e-2f6a8c0d7b11".getBytes(StandardCharsets.UTF_8)))
                .doesNotThrowAnyException();
        assertThatCode(() -> StreamCodec.checkRecordKey("jöran".getBytes(StandardCharsets.UTF_8))).doesNotThrowAnyException();

        assertThatThrownBy(() -> StreamCodec.checkRecordKey(new byte[0])).hasMessageContaining("has an empty key");
        assertThatThrownBy(() -> StreamCodec.checkRecordKey("a\nforged log line".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("has a key that holds a control character (U+000A at index 1), which no subject may hold");
        assertThatThrownBy(() -> StreamCodec.checkRecordKey("a\u0000b".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("has a key that holds the NUL character");
        assertThatThrownBy(() -> StreamCodec.checkRecordKey(new byte[]{'a', (byte) 0xFF}))
                .hasMessage("has a key that is not valid UTF-8 (invalid byte sequence at byte offset 1)");
        assertThatThrownBy(() -> StreamCodec.checkRecordKey("k".repeat(256).getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("has a key of 256 characters");
        assertThatThrownBy(() -> StreamCodec.checkRecordKey(new byte[5000])).hasMessageContaining("has a key of 5000 bytes");
    }

    // 4. Sizes bounded by the schema (and the whole record by the codec).

    @Test
    void aRecordLargerThanOneMebibyteIsRefusedBeforeItIsRead() {
        byte[] huge = new byte[StreamCodec.MAX_RECORD_BYTES + 1];
        Arrays.fill(huge, (byte) '[');

        assertThatThrownBy(() -> CODEC.decode(huge)).hasMessage("is 1048577 bytes, more than the 1048576 bytes a record may have "
                + "(Kafka's default message size)");
    }

    @Test
    void deepNestingIsRefusedByTheReader() throws Exception {
        String nested = "[".repeat(40) + "]".repeat(40);
        String text = identity().toString().replace("[\"engineering\"]", nested);

        assertThatThrownBy(() -> decode(text)).hasMessageContaining("exceeds a bound of the JSON reader (nesting at most 32 levels");
    }

    @Test
    void everyReservedAttributeIsBoundedByItsKeycloakColumn() throws Exception {
        assertRefused(attribute("username", MAPPER.valueToTree("u".repeat(256))), "$.data.attributes.username.value");
        assertRefused(attribute("email", MAPPER.valueToTree("a@" + "e".repeat(250) + ".com")), "$.data.attributes.email.value");
        assertRefused(attribute("firstName", MAPPER.valueToTree("f".repeat(256))), "$.data.attributes.firstName.value");
        assertRefused(attribute("lastName", MAPPER.valueToTree("l".repeat(256))), "$.data.attributes.lastName.value");
        assertRefused(attribute("realmRoles", strings(1001, "role-")), "$.data.attributes.realmRoles.value");
        assertRefused(attribute("realmRoles", strings(1, "r".repeat(256))), "$.data.attributes.realmRoles.value[0]");
        assertRefused(attribute("clientRoles.billing", strings(1001, "role-")), "$.data.attributes['clientRoles.billing'].value");
        assertRefused(attribute("groups", strings(1001, "/g-")), "$.data.attributes.groups.value");
        assertRefused(attribute("groups", strings(1, "/" + "g".repeat(1024))), "$.data.attributes.groups.value[0]");
    }

    @Test
    void userAttributesAreBoundedPerValueAndPerList() throws Exception {
        assertThatCode(() -> decode(attribute("certificate", MAPPER.valueToTree("c".repeat(16384))))).doesNotThrowAnyException();
        assertRefused(attribute("certificate", MAPPER.valueToTree("c".repeat(16385))), "$.data.attributes.certificate.value");
        assertRefused(attribute("badges", strings(1001, "b")), "$.data.attributes.badges.value");
        assertRefused(attribute("badges", strings(1, "b".repeat(16385))), "$.data.attributes.badges.value");
        assertRefused(attribute("n".repeat(256), MAPPER.valueToTree("x")), "$.data.attributes");
        assertRefused(attribute("line\nbreak", MAPPER.valueToTree("x")), "$.data.attributes");

        ObjectNode many = identity();
        ObjectNode attributes = (ObjectNode) many.at("/data/attributes");
        for (int i = 0; i < 1000; i++) {
            attributes.putObject("a" + i).put("value", "x").put("version", 1);
        }
        assertRefused(many, "$.data.attributes");
    }

    @Test
    void snapshotsHaveTheBoundsOfUpsertsAndAlsoNull() throws Exception {
        ObjectNode node = identity();
        node.put("type", "replica.identity.snapshot");
        ((ObjectNode) node.at("/data/attributes/enabled")).putNull("value");
        ((ObjectNode) node.at("/data/attributes/username")).putNull("value");
        assertThatCode(() -> decode(node)).doesNotThrowAnyException();

        ((ObjectNode) node.at("/data/attributes/email")).put("value", "not-an-address");
        assertRefused(node, "$.data.attributes.email.value");
        ((ObjectNode) node.at("/data/attributes/email")).putNull("value");
        ((ObjectNode) node.at("/data/attributes/department")).put("value", true);
        assertRefused(node, "$.data.attributes.department.value");
    }

    @Test
    void credentialFieldsAreBounded() throws Exception {
        assertRefused(credentialWith("credentialData", "{\"a\":\"" + "x".repeat(65536) + "\"}"), "$.data.credential.credentialData");
        assertRefused(credentialWith("secretData", "{\"a\":\"" + "x".repeat(65536) + "\"}"), "$.data.credential.secretData");
        assertRefused(credentialWith("userLabel", "l".repeat(256)), "$.data.credential.userLabel");
        assertRefused(credentialWith("type", "t".repeat(256)), "$.data.credential.type");
        assertRefused(credentialWith("id", "i".repeat(256)), "$.data.credential.id");
        assertRefused(credentialWith("id", "tab\there"), "$.data.credential.id");
    }

    @Test
    void aCredentialsSnapshotHoldsAtMostOneHundredCredentials() {
        List<ReplicatedCredential> credentials = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            credentials.add(new ReplicatedCredential("c" + i, "otp", 1, "{}", "{\"value\":\"x\"}", null, null));
        }
        CredentialsSnapshot snapshot = new CredentialsSnapshot(new Envelope("e", "keycloak://primary/realms/acme", EventType.CREDENTIALS_SNAPSHOT,
                "s", null), credentials, Map.of());

        assertThatThrownBy(() -> CODEC.decode(CODEC.encode(snapshot))).hasMessageContaining("$.data.credentials");
    }

    @Test
    void envelopeIdsAreBoundedAndCarryNoControlCharacters() throws Exception {
        ObjectNode longId = identity();
        longId.put("id", "i".repeat(256));
        assertRefused(longId, "$.id");

        ObjectNode newline = identity();
        newline.put("subject", "s\nforged");
        assertRefused(newline, "$.subject");

        ObjectNode longTime = identity();
        longTime.put("time", "2026-11-22T10:00:00" + ".0".repeat(40) + "Z");
        assertRefused(longTime, "$.time");
    }

    @Test
    void heartbeatIntervalsAndOffsetsAreBounded() throws Exception {
        Heartbeat heartbeat = new Heartbeat(new Envelope("hb", "keycloak://primary/realms/acme", EventType.HEARTBEAT, "authority", null),
                Duration.ofSeconds(5), Map.of("acme.identity", Map.of(0, 5L)));
        String text = new String(CODEC.encode(heartbeat), StandardCharsets.UTF_8);

        assertThatThrownBy(() -> CODEC.decodeHeartbeat(text.replace("5000", "86400001").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.data.intervalMillis");
        assertThatThrownBy(() -> CODEC.decodeHeartbeat(text.replace("\"0\":5", "\"0\":18446744073709551617").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.data.positions['acme.identity']");
        assertThatThrownBy(() -> CODEC.decodeHeartbeat(text.replace("acme.identity", "acme identity").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.data.positions");
    }

    // An email value must be an address; null still removes it.

    @Test
    void anEmailMustBeAnAddressAndNullStillRemovesIt() throws Exception {
        assertRefused(attribute("email", MAPPER.valueToTree("not an address")), "$.data.attributes.email.value");
        assertRefused(attribute("email", MAPPER.valueToTree("")), "$.data.attributes.email.value");

        IdentityUpsert removed = (IdentityUpsert) decode(attribute("email", MAPPER.nullNode()));
        IdentityUpsert internal = (IdentityUpsert) decode(attribute("email", MAPPER.valueToTree("bob@ops.acme.internal")));
        assertThat(removed.attributes().get("email").isAbsent()).isTrue();
        assertThat(internal.attributes().get("email").asText()).isEqualTo("bob@ops.acme.internal");
    }

    // Messages: never a value, always one printable line.

    @Test
    void messagesNeverQuoteValuesAndAreOnePrintableLine() throws Exception {
        ObjectNode node = credential();
        ObjectNode item = (ObjectNode) node.at("/data/credential");
        item.put("version", "SECRET-IN-A-VERSION");
        item.put("createdDate", "SECRET-IN-A-DATE");
        item.put("userLabel", "SECRET".repeat(60));
        item.put("type", "SECRET-TYPE\n".repeat(30));

        assertThatThrownBy(() -> decode(node))
                .isInstanceOf(InvalidEventException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET").doesNotContain("\n")
                        .hasSizeLessThanOrEqualTo(InvalidEventException.MAX_MESSAGE_CHARS + 1));
    }

    @Test
    void aMessageIsCutToItsBoundAndEscaped() {
        assertThat(new InvalidEventException("a\nb\u0000c\u2028").getMessage()).isEqualTo("a\\u000Ab\\u0000c\\u2028");
        assertThat(new InvalidEventException("x".repeat(5000)).getMessage()).hasSize(InvalidEventException.MAX_MESSAGE_CHARS + 1).endsWith("…");
    }

    @Test
    void changeRequestsAreReadAsStrictly() {
        WritePathCodec codec = new WritePathCodec();
        byte[] request = codec.encode(CredentialChangeRequest.setPassword("site-a", "s1", "pw"));
        String text = new String(request, StandardCharsets.UTF_8);

        assertThatCode(() -> codec.decodeRequest(request)).doesNotThrowAnyException();
        assertThatThrownBy(() -> codec.decodeRequest((text + "{}").getBytes(StandardCharsets.UTF_8))).hasMessageContaining("has more after its JSON value");
        assertThatThrownBy(() -> codec.decodeRequest(text.replace("\"pw\"", "\"p\\u0000w\"").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("NUL character");
        assertThatThrownBy(() -> codec.decodeRequest(text.replace("\"pw\"", "\"" + "p".repeat(4097) + "\"").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("$.password");
    }

    private static void assertRefused(JsonNode node, String path) {
        assertThatThrownBy(() -> decode(node))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageContaining(path);
    }

    private static ObjectNode attribute(String name, JsonNode value) throws IOException {
        ObjectNode node = identity();
        ((ObjectNode) node.at("/data/attributes")).putObject(name).put("version", 9).set("value", value);
        return node;
    }

    private static ArrayNode strings(int count, String prefix) {
        ArrayNode array = MAPPER.createArrayNode();
        for (int i = 0; i < count; i++) {
            array.add(count == 1 ? prefix : prefix + i);
        }
        return array;
    }

    private static ObjectNode credentialWith(String field, String value) throws IOException {
        ObjectNode node = credential();
        ((ObjectNode) node.at("/data/credential")).put(field, value);
        return node;
    }
}
