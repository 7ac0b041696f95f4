package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Random mutations and truncations of valid records of every type: decoding either succeeds or throws
 * {@link InvalidEventException} with a printable, bounded reason that is no internal error; what a dead
 * letter keeps of the record is always computed, and of credential records never holds their secrets.
 * Seeded: a failure names its seed and iteration; {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.seed=random}
 * tries a new one, {@code -Dfuzz.iterations=N} runs longer.
 */
class StreamCodecFuzzTest {

    private static final long DEFAULT_SEED = 20261213L;
    private static final int DEFAULT_ITERATIONS = 4000;
    private static final String SECRET = "SECRET";

    private static final StreamCodec CODEC = new StreamCodec();
    private static final WritePathCodec WRITE_PATH = new WritePathCodec();
    private static final ObjectMapper READER = new ObjectMapper();
    /** Writes lone surrogates as escapes, so a mutated tree always becomes bytes. */
    private static final ObjectMapper WRITER = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private static final String[] INTERESTING_TEXT = {"", "\u0000", "a\u0000b", "\ud800", "x\udc00", "\uD83D\uDE80", "line\nbreak", "\u2028",
            "not an address", "a@b", "/", "/x", "x".repeat(300), "y".repeat(70_000), "{}", "{\"value\":1} {}", "[]", "\"", "\\", "1e999999999"};
    private static final String[] INTERESTING_NAMES = {"", "\u0000", "a\u0000", "\ud800", "SecretData", "secret", "secret_data", "credentialdata",
            "value", "x", "clientRoles.", "clientRoles.app", "revoked", "n".repeat(300)};
    private static final byte[][] INTERESTING_BYTES = {{0}, {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            "\\u0000".getBytes(StandardCharsets.US_ASCII), "\\ud800".getBytes(StandardCharsets.US_ASCII), "9223372036854775808".getBytes(StandardCharsets.US_ASCII),
            "18446744073709551617".getBytes(StandardCharsets.US_ASCII), "1e999999999".getBytes(StandardCharsets.US_ASCII), "-0.0".getBytes(StandardCharsets.US_ASCII),
            "{}".getBytes(StandardCharsets.US_ASCII), "[".repeat(64).getBytes(StandardCharsets.US_ASCII), "\"\":".getBytes(StandardCharsets.US_ASCII),
            " garbage".getBytes(StandardCharsets.US_ASCII), "\u2028".getBytes(StandardCharsets.UTF_8), "\"".getBytes(StandardCharsets.US_ASCII),
            "\\".getBytes(StandardCharsets.US_ASCII), ",".getBytes(StandardCharsets.US_ASCII), "null".getBytes(StandardCharsets.US_ASCII)};

    private interface Decoder {
        void decode(byte[] payload) throws InvalidEventException;
    }

    private record Sample(String name, byte[] bytes, Decoder decoder, boolean mayCarrySecrets) {
    }

    @Test
    void mutatedRecordsOfEveryTypeDecodeOrAreRefusedWithAReason() throws Exception {
        String seedProperty = System.getProperty("fuzz.seed");
        long seed = seedProperty == null ? DEFAULT_SEED : "random".equals(seedProperty) ? System.nanoTime() : Long.parseLong(seedProperty);
        int iterations = Integer.getInteger("fuzz.iterations", DEFAULT_ITERATIONS);
        System.out.println("StreamCodecFuzzTest: seed " + seed + ", " + iterations + " iterations (replay with -Dfuzz.seed=" + seed + ")");

        Random random = new Random(seed);
        List<Sample> samples = samples();
        int accepted = 0;
        int refused = 0;
        for (int i = 0; i < iterations; i++) {
            Sample sample = samples.get(random.nextInt(samples.size()));
            boolean treeMutation = random.nextBoolean();
            byte[] mutated = treeMutation ? mutateTree(sample.bytes(), random) : mutateBytes(sample.bytes(), random);
            String where = "seed " + seed + ", iteration " + i + ", " + sample.name() + " mutated " + (treeMutation ? "as JSON" : "as bytes");
            try {
                sample.decoder().decode(mutated);
                accepted++;
            } catch (InvalidEventException e) {
                refused++;
                String message = e.getMessage();
                assertThat(message).as(where + " for " + LogSafe.escape(new String(mutated, StandardCharsets.UTF_8), 3000)).doesNotContain("internal error").hasSizeLessThanOrEqualTo(InvalidEventException.MAX_MESSAGE_CHARS + 1);
                assertPrintable(message, where);
                if (treeMutation) {
                    assertThat(message).as(where).doesNotContain(SECRET);
                }
            } catch (Throwable t) {
                fail(where + ": decoding threw " + t + " for " + LogSafe.escape(new String(mutated, StandardCharsets.UTF_8), 2000), t);
            }
            SecretRedaction.DeadLetterPayload kept;
            try {
                kept = SecretRedaction.forDeadLetter(mutated, sample.mayCarrySecrets());
            } catch (Throwable t) {
                fail(where + ": redaction threw " + t, t);
                return;
            }
            assertPrintable(kept.text(), where);
            if (treeMutation && sample.mayCarrySecrets()) {
                assertThat(kept.text()).as(where).doesNotContain(SECRET);
            }
        }
        System.out.println("StreamCodecFuzzTest: " + accepted + " mutated records accepted, " + refused + " refused with a reason");
        assertThat(refused).isGreaterThan(iterations / 2);
    }

    private static void assertPrintable(String text, String where) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair) {
                i++;
                continue;
            }
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\u2028' || c == '\u2029') {
                fail(where + ": text holds U+" + String.format("%04X", (int) c) + " at " + i);
            }
        }
    }

    private static byte[] mutateBytes(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && bytes.length > 0; m++) {
            int at = random.nextInt(bytes.length);
            switch (random.nextInt(7)) {
                case 0 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> bytes = splice(bytes, at, Math.min(bytes.length, at + 1 + random.nextInt(16)), new byte[0]);
                case 2 -> bytes = Arrays.copyOf(bytes, at);
                case 3 -> bytes = splice(bytes, at, at, INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]);
                case 4 -> bytes = splice(bytes, at, Math.min(bytes.length, at + 1), INTERESTING_BYTES[random.nextInt(INTERESTING_BYTES.length)]);
                case 5 -> {
                    int end = Math.min(bytes.length, at + 1 + random.nextInt(32));
                    bytes = splice(bytes, end, end, Arrays.copyOfRange(bytes, at, end));
                }
                default -> bytes = splice(bytes, bytes.length, bytes.length, random.nextBoolean() ? original : " {}".getBytes(StandardCharsets.US_ASCII));
            }
        }
        return bytes;
    }

    private static byte[] splice(byte[] bytes, int from, int to, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(bytes, 0, from);
        out.writeBytes(insert);
        out.write(bytes, to, bytes.length - to);
        return out.toByteArray();
    }

    private static byte[] mutateTree(byte[] original, Random random) throws IOException {
        JsonNode root = READER.readTree(original);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            List<Slot> slots = new ArrayList<>();
            collect(root, slots);
            if (slots.isEmpty()) {
                break;
            }
            Slot slot = slots.get(random.nextInt(slots.size()));
            JsonNode current = slot.get();
            switch (random.nextInt(6)) {
                case 0, 1 -> slot.set(randomValue(random, 0));
                case 2 -> slot.remove();
                case 3 -> slot.rename(INTERESTING_NAMES[random.nextInt(INTERESTING_NAMES.length)]);
                case 4 -> {
                    if (current instanceof ObjectNode object) {
                        object.set(INTERESTING_NAMES[random.nextInt(INTERESTING_NAMES.length)], randomValue(random, 0));
                    } else if (current instanceof ArrayNode array) {
                        array.add(randomValue(random, 0));
                    } else {
                        slot.set(randomValue(random, 0));
                    }
                }
                default -> {
                    // Text that is itself JSON (credentialData, secretData): mutate what is inside.
                    if (current.isTextual() && current.textValue().startsWith("{")) {
                        String inner = current.textValue();
                        int at = random.nextInt(inner.length() + 1);
                        String insert = INTERESTING_TEXT[random.nextInt(INTERESTING_TEXT.length)];
                        slot.set(TextNode.valueOf(random.nextBoolean() ? inner.substring(0, at) + insert + inner.substring(at) : inner + insert));
                    } else {
                        slot.set(randomValue(random, 0));
                    }
                }
            }
        }
        return WRITER.writeValueAsBytes(root);
    }

    private static JsonNode randomValue(Random random, int depth) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (random.nextInt(depth > 3 ? 9 : 11)) {
            case 0 -> nodes.numberNode(BigInteger.TWO.pow(63));
            case 1 -> nodes.numberNode(BigInteger.TWO.pow(64).add(BigInteger.ONE));
            case 2 -> nodes.numberNode(random.nextInt(5) - 2);
            case 3 -> DecimalNode.valueOf(new BigDecimal(random.nextBoolean() ? "1.5" : random.nextBoolean() ? "1e400" : "18446744073709551617.0"));
            case 4 -> nodes.numberNode(random.nextLong());
            case 5, 6 -> TextNode.valueOf(INTERESTING_TEXT[random.nextInt(INTERESTING_TEXT.length)]);
            case 7 -> BooleanNode.valueOf(random.nextBoolean());
            case 8 -> NullNode.getInstance();
            case 9 -> {
                ArrayNode array = nodes.arrayNode();
                int size = random.nextInt(4);
                for (int i = 0; i < size; i++) {
                    array.add(randomValue(random, depth + 1));
                }
                yield random.nextInt(10) == 0 ? nest(array, 40) : array;
            }
            default -> {
                ObjectNode object = nodes.objectNode();
                int size = random.nextInt(3);
                for (int i = 0; i < size; i++) {
                    object.set(INTERESTING_NAMES[random.nextInt(INTERESTING_NAMES.length)], randomValue(random, depth + 1));
                }
                yield object;
            }
        };
    }

    private static JsonNode nest(JsonNode node, int levels) {
        JsonNode nested = node;
        for (int i = 0; i < levels; i++) {
            nested = JsonNodeFactory.instance.arrayNode().add(nested);
        }
        return nested;
    }

    /** A place in a JSON tree: a field of an object or an element of an array. */
    private record Slot(ContainerNode<?> parent, String name, int index) {

        JsonNode get() {
            return name != null ? parent.get(name) : parent.get(index);
        }

        void set(JsonNode value) {
            if (name != null) {
                ((ObjectNode) parent).set(name, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }

        void remove() {
            if (name != null) {
                ((ObjectNode) parent).remove(name);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }

        void rename(String newName) {
            if (name != null) {
                JsonNode value = ((ObjectNode) parent).remove(name);
                ((ObjectNode) parent).set(newName, value);
            }
        }
    }

    private static void collect(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                slots.add(new Slot(object, name, -1));
                collect(object.get(name), slots);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                slots.add(new Slot(array, null, i));
                collect(array.get(i), slots);
            }
        }
    }

    private static List<Sample> samples() throws IOException, InvalidEventException {
        Envelope identity = new Envelope("e-1", "keycloak://primary/realms/acme", EventType.IDENTITY_DELETED, "subject-1", "2026-11-22T10:00:00Z");
        List<Sample> samples = new ArrayList<>();
        samples.add(event("identity upserted", resource("identity-upserted.json"), false));
        samples.add(event("credential upserted", resource("credential-upserted.json"), true));
        samples.add(event("identity deleted", CODEC.encode(new IdentityDeletion(identity, Map.of("username", 4L, "email", 8L))), false));
        samples.add(event("credential revoked", CODEC.encode(new CredentialRevocation(
                new Envelope("e-2", identity.source(), EventType.CREDENTIAL_REVOKED, "subject-1", null), "c1", "otp", 3)), true));
        samples.add(event("identity snapshot", CODEC.encode(new IdentitySnapshot(new Envelope("e-3", identity.source(), EventType.IDENTITY_SNAPSHOT,
                "subject-1", null), Map.of("username", new VersionedValue(TextNode.valueOf("alice"), 3), "department", new VersionedValue(null, 2),
                "enabled", new VersionedValue(BooleanNode.TRUE, 1), "realmRoles", new VersionedValue(READER.readTree("[\"lead\"]"), 5)))), false));
        samples.add(event("credentials snapshot", CODEC.encode(new CredentialsSnapshot(new Envelope("e-4", identity.source(),
                EventType.CREDENTIALS_SNAPSHOT, "subject-1", null), List.of(
                new ReplicatedCredential("c1", "password", 2, "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":210000}",
                        "{\"value\":\"" + SECRET + "-HASH\",\"salt\":\"" + SECRET + "-SALT\"}", 1L, "mine"),
                new ReplicatedCredential("c2", "otp", 1, "{\"subType\":\"totp\",\"digits\":6,\"period\":30,\"algorithm\":\"HmacSHA1\"}",
                        "{\"value\":\"" + SECRET + "-SEED\"}", null, null)), Map.of("c0", 4L))), true));
        samples.add(new Sample("heartbeat", CODEC.encode(new Heartbeat(new Envelope("hb-1", identity.source(), EventType.HEARTBEAT, "authority", null),
                Duration.ofSeconds(5), Map.of("acme.identity", Map.of(0, 1842L, 1, 1797L), "acme.credentials", Map.of(0, 311L)))),
                CODEC::decodeHeartbeat, false));
        samples.add(new Sample("password change request", WRITE_PATH.encode(CredentialChangeRequest.setPassword("site-a", "subject-1", SECRET + "-PW")),
                WRITE_PATH::decodeRequest, true));
        samples.add(new Sample("credential create request", WRITE_PATH.encode(CredentialChangeRequest.create("site-a", "subject-1", "otp", "phone",
                "{\"subType\":\"totp\",\"digits\":6,\"period\":30,\"algorithm\":\"HmacSHA1\"}", "{\"value\":\"" + SECRET + "-SEED\"}")),
                WRITE_PATH::decodeRequest, true));
        samples.add(new Sample("write path answer", WRITE_PATH.encodeConfirmation(List.of(CODEC.decode(resource("credential-upserted.json")))),
                WRITE_PATH::decodeConfirmation, true));
        return samples;
    }

    private static Sample event(String name, byte[] bytes, boolean mayCarrySecrets) {
        return new Sample(name, bytes, CODEC::decode, mayCarrySecrets);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = StreamCodecFuzzTest.class.getResourceAsStream("/events/" + name)) {
            return in.readAllBytes();
        }
    }
}
