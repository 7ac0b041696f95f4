package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed and hostile records of every kind the stream contract forbids, on every topic the replica
 * reads, each followed by valid events on every partition: what a buggy or forged producer can do to a
 * site. Every bad record must become one dead letter with a reason a check gave (not a database failure),
 * every valid event after it must apply, the apply engine must never stall, and the secret seeded into
 * every credential record must reach no dead letter, log line or admin answer. Run on H2 by
 * {@link PoisonCorpusIT} and on PostgreSQL by {@link PostgresReplicaIT}, which refuses text H2 accepts.
 */
final class PoisonCorpus {

    /** One bad record: where it goes, under which key, and what makes it bad. */
    record Kind(String name, Target target, String key, byte[] value) {
    }

    enum Target { IDENTITY, CREDENTIALS, IDENTITY_SNAPSHOT, CREDENTIALS_SNAPSHOT, HEARTBEAT }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final BigInteger TWO_TO_63 = BigInteger.ONE.shiftLeft(63);

    private final ReplicaSite site;
    private final String secret = "POISON-SECRET-" + UUID.randomUUID();
    private final String run = UUID.randomUUID().toString().substring(0, 6);
    private int counter;

    PoisonCorpus(ReplicaSite site) {
        this.site = site;
    }

    private String key(String what) {
        return "poison-" + run + "-" + (++counter) + "-" + what;
    }

    /**
     * Publishes the corpus to a realm of its own and checks what became of it.
     *
     * @return how many malformed kinds were published
     */
    int run() {
        try (TestRealm realm = new TestRealm(site, "poison")) {
            Upstream upstream = realm.upstream(3).startHeartbeats(Duration.ofMillis(500));
            int partitions = 3;

            // Before the component exists, so that its bootstrap reads them: poison on both snapshot topics among
            // valid people.
            List<Kind> snapshotKinds = snapshotKinds(upstream);
            List<String> early = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                String name = People.uniqueName("early");
                upstream.upsert(subjectOn(upstream, p), People.person(name));
                early.add(name);
            }
            snapshotKinds.forEach(kind -> send(upstream, kind));
            upstream.flush();
            realm.replicate(upstream, TestRealm.linkSettings(10, 1));
            early.forEach(name -> realm.awaitUser(name, u -> true));

            // People whose credential records the corpus breaks, each with one of their own.
            List<Kind> credentialKinds = new ArrayList<>();
            Map<String, String> holders = new LinkedHashMap<>();
            for (int n = 0; n < CREDENTIAL_KINDS; n++) {
                String holder = key("holder");
                String name = People.uniqueName("holder");
                upstream.upsert(holder, People.person(name));
                holders.put(holder, name);
            }
            holders.values().forEach(name -> realm.awaitUser(name, u -> true));

            List<Kind> deltaKinds = identityKinds(upstream);
            List<String> after = new ArrayList<>();
            for (Kind kind : deltaKinds) {
                send(upstream, kind);
                after.addAll(validOnEveryPartition(upstream, partitions));
            }
            int i = 0;
            for (String holder : holders.keySet()) {
                credentialKinds.add(credentialKind(holder, i++));
            }
            for (Kind kind : credentialKinds) {
                send(upstream, kind);
                upstream.password(kind.key(), "valid-" + kind.key(), "the valid password of " + kind.key());
                after.addAll(validOnEveryPartition(upstream, partitions));
            }
            List<Kind> heartbeatKinds = heartbeatKinds(upstream);
            heartbeatKinds.forEach(kind -> send(upstream, kind));
            upstream.flush();

            after.forEach(name -> realm.awaitUser(name, u -> true));
            List<Kind> all = new ArrayList<>(snapshotKinds);
            all.addAll(deltaKinds);
            all.addAll(credentialKinds);
            all.addAll(heartbeatKinds);
            List<JsonNode> letters = awaitDeadLetters(realm, all.size());
            // Every kind checked before failing, so that one run names every kind that got through.
            SoftAssertions kinds = new SoftAssertions();
            for (Kind kind : all) {
                List<JsonNode> mine = letters.stream().filter(d -> d.path("key").asText().contains(keyMark(kind.key()))).toList();
                kinds.assertThat(mine).as("dead letters of " + kind.name() + " (" + keyMark(kind.key()) + ")").hasSize(1);
                if (mine.size() == 1) {
                    kinds.assertThat(mine.get(0).path("reason").asText()).as(kind.name()).isNotBlank()
                            .doesNotStartWith("Applying the event failed");
                }
            }
            kinds.assertThat(letters).as("dead letters of the realm").hasSize(all.size());
            kinds.assertAll();

            // Every holder's valid password, written after the bad record on the same partition, is the one it has.
            holders.forEach((holder, name) -> {
                JsonNode user = realm.user(name).orElseThrow();
                JsonNode credentials = site.keycloak().admin("GET", realm.name + "/users/" + user.get("id").asText() + "/credentials", null).json();
                assertThat(credentials).as("credentials of " + name).hasSize(1);
                assertThat(credentials.get(0).get("type").asText()).isEqualTo("password");
            });

            // A full sync reads the poisoned snapshot topics to their end and succeeds; the bad snapshot records
            // are dead letters once more.
            realm.awaitLinkReachable();
            JsonNode sync = realm.runOperation(Map.of("kind", "full", "reason", "after the poison corpus"));
            assertThat(sync.get("state").asText()).as(sync.toString()).isEqualTo("SUCCEEDED");
            assertThat(awaitDeadLetters(realm, all.size() + snapshotKinds.size())).hasSize(all.size() + snapshotKinds.size());

            assertNoStallAndNoSecret(realm);
            return all.size();
        }
    }

    private void assertNoStallAndNoSecret(TestRealm realm) {
        String metrics = get(site.server().managementUrl() + "/metrics");
        Matcher stalled = Pattern.compile("(?m)^keycloak_replica_apply_stalled_seconds\\{([^}]*)} (\\S+)$").matcher(metrics);
        boolean seen = false;
        while (stalled.find()) {
            if (stalled.group(1).contains(realm.name)) {
                seen = true;
                assertThat(Double.parseDouble(stalled.group(2))).as("apply stalled: " + stalled.group(1)).isZero();
            }
        }
        assertThat(seen).as("the stall gauge of " + realm.name).isTrue();
        String log;
        try {
            log = Files.readString(site.server().logFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(log.lines().filter(l -> l.contains(realm.name) && l.contains("apply stalled")).toList()).as("stall lines").isEmpty();
        assertThat(log).as("the server log").doesNotContain(secret);
        StringBuilder answers = new StringBuilder();
        for (int first = 0; ; first += 500) {
            JsonNode page = site.keycloak().admin("GET", realm.name + "/replica/dead-letters?max=500&first=" + first, null).json();
            answers.append(page);
            if (page.get("items").size() < 500) {
                break;
            }
        }
        answers.append(site.keycloak().admin("GET", realm.name + "/replica/gaps", null).json());
        answers.append(site.keycloak().admin("GET", realm.name + "/replica/lag", null).json());
        assertThat(answers.toString()).as("admin answers").doesNotContain(secret);
    }

    /** The realm's dead letters once there are {@code count}, or as many as there are after the apply timeout. */
    private List<JsonNode> awaitDeadLetters(TestRealm realm, int count) {
        try {
            return Awaitility.await(count + " dead letters in " + realm.name).atMost(ReplicaSite.APPLY_TIMEOUT)
                    .pollInterval(Duration.ofMillis(500)).until(() -> deadLetters(realm), items -> items.size() >= count);
        } catch (ConditionTimeoutException e) {
            return deadLetters(realm);
        }
    }

    private List<JsonNode> deadLetters(TestRealm realm) {
        List<JsonNode> items = new ArrayList<>();
        for (int first = 0; ; first += 500) {
            JsonNode page = site.keycloak().admin("GET", realm.name + "/replica/dead-letters?max=500&first=" + first, null).json();
            page.get("items").forEach(items::add);
            if (page.get("items").size() < 500) {
                return items;
            }
        }
    }

    private static String get(String url) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The part of a key that survives escaping in a dead letter. */
    private static String keyMark(String key) {
        Matcher m = Pattern.compile("poison-[0-9a-f]{6}-\\d+-").matcher(key);
        return m.find() ? m.group() : key;
    }

    private void send(Upstream upstream, Kind kind) {
        String topic = switch (kind.target()) {
            case IDENTITY -> upstream.topics().identity();
            case CREDENTIALS -> upstream.topics().credentials();
            case IDENTITY_SNAPSHOT -> upstream.topics().identitySnapshot();
            case CREDENTIALS_SNAPSHOT -> upstream.topics().credentialsSnapshot();
            case HEARTBEAT -> upstream.topics().heartbeat();
        };
        upstream.sendRaw(topic, kind.key(), kind.value());
    }

    private static String subjectOn(Upstream upstream, int partition) {
        while (true) {
            String subject = UUID.randomUUID().toString();
            if (upstream.partitionOf(subject) == partition) {
                return subject;
            }
        }
    }

    private static List<String> validOnEveryPartition(Upstream upstream, int partitions) {
        List<String> names = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            String name = People.uniqueName("after");
            upstream.upsert(subjectOn(upstream, p), People.person(name));
            names.add(name);
        }
        return names;
    }

    // --- the corpus

    private ObjectNode envelope(String type, String subject) {
        ObjectNode root = JSON.objectNode();
        root.put("specversion", "1.0");
        root.put("id", UUID.randomUUID().toString());
        root.put("source", ReplicaSite.SOURCE);
        root.put("type", type);
        root.put("subject", subject);
        root.put("time", Instant.now().toString());
        root.put("datacontenttype", "application/json");
        return root;
    }

    private ObjectNode upsert(String subject) {
        ObjectNode root = envelope("replica.identity.upserted", subject);
        ObjectNode attributes = root.putObject("data").putObject("attributes");
        attributes.putObject("username").put("value", "u-" + subject.hashCode()).put("version", 1);
        attributes.putObject("enabled").put("value", true).put("version", 1);
        return root;
    }

    private static ObjectNode attributes(ObjectNode upsert) {
        return (ObjectNode) upsert.get("data").get("attributes");
    }

    private static byte[] bytes(Object text) {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Kind identity(String name, String key, byte[] value) {
        return new Kind(name, Target.IDENTITY, key, value);
    }

    /** A broken upsert of its own subject, the key being the subject. */
    private Kind brokenUpsert(String name, Consumer<ObjectNode> breakIt) {
        String subject = key(name);
        ObjectNode upsert = upsert(subject);
        breakIt.accept(upsert);
        return identity(name, subject, bytes(upsert));
    }

    private List<Kind> identityKinds(Upstream upstream) {
        List<Kind> kinds = new ArrayList<>();
        String k;
        kinds.add(identity("null value (tombstone) on a delta topic", key("tombstone"), null));
        kinds.add(identity("empty record", key("empty"), new byte[0]));
        kinds.add(identity("not JSON", key("not-json"), bytes("{\"specversion\":\"1.0\", this is not json")));
        kinds.add(identity("JSON array", key("array"), bytes("[1,2,3]")));
        k = key("double-encoded");
        kinds.add(identity("double-encoded event (a JSON string holding the event)", k, bytes(JSON.textNode(upsert(k).toString()))));
        k = key("trailing");
        kinds.add(identity("trailing garbage after the event", k, bytes(upsert(k) + " trailing garbage")));
        k = key("two-events");
        kinds.add(identity("two events in one record", k, bytes(upsert(k).toString() + upsert(k))));
        k = key("bad-utf8");
        byte[] valid = bytes(upsert(k));
        byte[] broken = new byte[valid.length + 2];
        System.arraycopy(valid, 0, broken, 0, valid.length - 1);
        broken[valid.length - 1] = (byte) 0xC3;
        broken[valid.length] = (byte) 0x28;
        broken[valid.length + 1] = '}';
        kinds.add(identity("invalid UTF-8", k, broken));
        k = key("deep");
        kinds.add(identity("JSON nested 5,000 deep", k, bytes("{\"data\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}")));
        kinds.add(brokenUpsert("no type", u -> u.remove("type")));
        kinds.add(brokenUpsert("unknown type", u -> u.put("type", "replica.identity.exploded")));
        kinds.add(brokenUpsert("type not a string", u -> u.put("type", 42)));
        kinds.add(brokenUpsert("no specversion", u -> u.remove("specversion")));
        kinds.add(brokenUpsert("wrong specversion", u -> u.put("specversion", "0.3")));
        kinds.add(brokenUpsert("no id", u -> u.remove("id")));
        kinds.add(brokenUpsert("empty id", u -> u.put("id", "")));
        kinds.add(brokenUpsert("id over 255 characters", u -> u.put("id", "i".repeat(256))));
        kinds.add(brokenUpsert("id with a NUL", u -> u.put("id", "id\u0000nul")));
        kinds.add(brokenUpsert("no source", u -> u.remove("source")));
        kinds.add(brokenUpsert("no subject", u -> u.remove("subject")));
        kinds.add(brokenUpsert("subject not the key", u -> u.put("subject", "someone-else-" + run)));
        kinds.add(brokenUpsert("subject over 255 characters", u -> u.put("subject", u.get("subject").asText() + "s".repeat(256))));
        k = key("nul-subject") + "\u0000";
        ObjectNode nulSubject = upsert(k);
        kinds.add(identity("subject and key with a NUL", k, bytes(nulSubject)));
        k = key("newline-key") + "\nINFO [forged] a line the replica never wrote";
        kinds.add(identity("key and subject with a newline", k, bytes(upsert(k))));
        // Written as a JSON escape: a Java string with a lone surrogate would reach Kafka as '?'.
        k = key("lone-surrogate");
        kinds.add(identity("subject with a lone surrogate", k,
                bytes(upsert(k).toString().replace("\"subject\":\"" + k + "\"", "\"subject\":\"" + k + "\\ud800\""))));
        kinds.add(brokenUpsert("wrong datacontenttype", u -> u.put("datacontenttype", "text/plain")));
        kinds.add(brokenUpsert("time not a date-time", u -> u.put("time", "yesterday")));
        kinds.add(brokenUpsert("no data", u -> u.remove("data")));
        kinds.add(brokenUpsert("data not an object", u -> u.put("data", "attributes")));
        kinds.add(brokenUpsert("extra field in data", u -> ((ObjectNode) u.get("data")).put("extra", true)));
        kinds.add(brokenUpsert("no attributes", u -> ((ObjectNode) u.get("data")).putObject("attributes")));
        kinds.add(brokenUpsert("attribute with an empty name", u -> attributes(u).putObject("").put("value", "x").put("version", 1)));
        kinds.add(brokenUpsert("attribute name with a NUL", u -> attributes(u).putObject("dept\u0000").put("value", "x").put("version", 1)));
        kinds.add(brokenUpsert("attribute name over 255 characters", u -> attributes(u).putObject("a".repeat(256)).put("value", "x").put("version", 1)));
        kinds.add(brokenUpsert("extra field in an attribute", u -> ((ObjectNode) attributes(u).get("enabled")).put("extra", 1)));
        kinds.add(brokenUpsert("attribute without a value", u -> ((ObjectNode) attributes(u).get("enabled")).remove("value")));
        kinds.add(brokenUpsert("attribute without a version", u -> ((ObjectNode) attributes(u).get("enabled")).remove("version")));
        kinds.add(brokenUpsert("version 0", u -> ((ObjectNode) attributes(u).get("enabled")).put("version", 0)));
        kinds.add(brokenUpsert("negative version", u -> ((ObjectNode) attributes(u).get("enabled")).put("version", -1)));
        kinds.add(brokenUpsert("version 2^63", u -> ((ObjectNode) attributes(u).get("enabled")).put("version", TWO_TO_63)));
        kinds.add(brokenUpsert("version 2^64+1 (wraps to 1 as a long)",
                u -> ((ObjectNode) attributes(u).get("enabled")).put("version", TWO_TO_63.shiftLeft(1).add(BigInteger.ONE))));
        kinds.add(brokenUpsert("version as a string", u -> ((ObjectNode) attributes(u).get("enabled")).put("version", "1")));
        kinds.add(brokenUpsert("fractional version", u -> ((ObjectNode) attributes(u).get("enabled")).put("version", 1.5)));
        kinds.add(brokenUpsert("empty username", u -> ((ObjectNode) attributes(u).get("username")).put("value", "")));
        kinds.add(brokenUpsert("username over 255 characters", u -> ((ObjectNode) attributes(u).get("username")).put("value", "n".repeat(256))));
        kinds.add(brokenUpsert("username with a NUL", u -> ((ObjectNode) attributes(u).get("username")).put("value", "nul\u0000name")));
        kinds.add(brokenUpsert("username not a string", u -> ((ObjectNode) attributes(u).get("username")).put("value", 7)));
        kinds.add(brokenUpsert("email that is not an address", u -> attributes(u).putObject("email").put("value", "not an address").put("version", 1)));
        kinds.add(brokenUpsert("enabled not a boolean", u -> ((ObjectNode) attributes(u).get("enabled")).put("value", "yes")));
        kinds.add(brokenUpsert("emailVerified a number", u -> attributes(u).putObject("emailVerified").put("value", 1).put("version", 1)));
        kinds.add(brokenUpsert("realmRoles not a list", u -> attributes(u).putObject("realmRoles").put("value", "admin").put("version", 1)));
        kinds.add(brokenUpsert("realmRoles with duplicates", u -> {
            ObjectNode roles = attributes(u).putObject("realmRoles");
            roles.putArray("value").add("staff").add("staff");
            roles.put("version", 1);
        }));
        kinds.add(brokenUpsert("group path without its leading slash", u -> {
            ObjectNode groups = attributes(u).putObject("groups");
            groups.putArray("value").add("staff");
            groups.put("version", 1);
        }));
        kinds.add(brokenUpsert("user attribute a number", u -> attributes(u).putObject("department").put("value", 3).put("version", 1)));
        kinds.add(brokenUpsert("user attribute an object", u -> attributes(u).putObject("department").putObject("value").put("a", 1)));
        kinds.add(brokenUpsert("user attribute value with a NUL", u -> attributes(u).putObject("department").put("value", "sales\u0000").put("version", 1)));
        kinds.add(brokenUpsert("user attribute value of 600,000 characters",
                u -> attributes(u).putObject("department").put("value", "d".repeat(600_000)).put("version", 1)));
        // Written by hand: Jackson's tree cannot hold a key twice.
        k = key("duplicate-keys");
        kinds.add(identity("duplicate JSON keys", k, bytes(upsert(k).toString().replaceFirst("\\{", "{\"subject\":\"" + k + "\","))));
        k = key("deletion-version");
        ObjectNode deletion = envelope("replica.identity.deleted", k);
        deletion.putObject("data").putObject("attributes").putObject("username").put("version", TWO_TO_63);
        kinds.add(identity("deletion with version 2^63", k, bytes(deletion)));
        k = key("credential-on-identity");
        kinds.add(identity("credential event on the identity topic", k, bytes(credential(k, "password", 1,
                KeycloakCredentials.password("x", 1)))));
        k = key("snapshot-on-delta");
        ObjectNode snapshot = upsert(k);
        snapshot.put("type", "replica.identity.snapshot");
        kinds.add(identity("snapshot record on a delta topic", k, bytes(snapshot)));
        k = key("heartbeat-on-delta");
        ObjectNode heartbeat = envelope("replica.heartbeat", k);
        heartbeat.putObject("data").put("intervalMillis", 1000).putObject("positions");
        kinds.add(identity("heartbeat on a delta topic", k, bytes(heartbeat)));
        return kinds;
    }

    private ObjectNode credential(String subject, String type, Object version, KeycloakCredentials.Stored stored) {
        ObjectNode root = envelope("replica.credential.upserted", subject);
        ObjectNode credential = root.putObject("data").putObject("credential");
        credential.put("id", UUID.randomUUID().toString());
        credential.put("type", type);
        credential.set("version", JSON.numberNode(new BigInteger(version.toString())));
        credential.put("credentialData", stored.credentialData());
        credential.put("secretData", stored.secretData());
        credential.put("createdDate", System.currentTimeMillis());
        return root;
    }

    /** Secret data that carries the corpus's marker, in Keycloak's stored form. */
    private String secretData() {
        return "{\"value\":\"" + secret + "\",\"salt\":\"c2FsdA==\",\"additionalParameters\":{}}";
    }

    private KeycloakCredentials.Stored pbkdf2(long iterations) {
        return new KeycloakCredentials.Stored("{\"hashIterations\":" + iterations + ",\"algorithm\":\"pbkdf2-sha512\",\"additionalParameters\":{}}",
                secretData());
    }

    /** How many kinds {@link #credentialKind} builds, one per holder. */
    private static final int CREDENTIAL_KINDS = 18;

    private Kind credentialKind(String holder, int index) {
        Kind kind = switch (index) {
            case 0 -> cred("credential record not JSON, with a secret", holder, bytes("{\"secretData\":\"" + secret + "\", broken"));
            case 1 -> cred("credential event double-encoded, with a secret", holder,
                    bytes(JSON.textNode(credential(holder, "password", 1, pbkdf2(210_000)).toString())));
            case 2 -> {
                ObjectNode c = credential(holder, "password", 1, pbkdf2(210_000));
                ObjectNode item = (ObjectNode) c.get("data").get("credential");
                item.remove("secretData");
                item.put("SecretData", secretData());
                yield cred("secret under SecretData", holder, bytes(c));
            }
            case 3 -> {
                ObjectNode c = credential(holder, "password", 1, pbkdf2(210_000));
                ((ObjectNode) c.get("data").get("credential")).put("secret", secret);
                yield cred("secret under an extra field 'secret'", holder, bytes(c));
            }
            case 4 -> cred("credentialData not JSON", holder, bytes(credential(holder, "password", 1,
                    new KeycloakCredentials.Stored("hashIterations=1", secretData()))));
            case 5 -> cred("secretData not JSON, holding a secret", holder, bytes(credential(holder, "password", 1,
                    new KeycloakCredentials.Stored("{\"hashIterations\":1,\"algorithm\":\"pbkdf2-sha512\"}", secret + " not json"))));
            case 6 -> cred("credentialData a JSON array", holder, bytes(credential(holder, "password", 1,
                    new KeycloakCredentials.Stored("[1]", secretData()))));
            case 7 -> cred("hashIterations 2,147,483,647", holder, bytes(credential(holder, "password", 1, pbkdf2(Integer.MAX_VALUE))));
            case 8 -> cred("hashIterations -1", holder, bytes(credential(holder, "password", 1, pbkdf2(-1))));
            case 9 -> cred("unknown hash algorithm", holder, bytes(credential(holder, "password", 1,
                    new KeycloakCredentials.Stored("{\"hashIterations\":1,\"algorithm\":\"argon9\"}", secretData()))));
            case 10 -> cred("OTP with 0 digits", holder, bytes(credential(holder, "otp", 1, new KeycloakCredentials.Stored(
                    "{\"subType\":\"totp\",\"digits\":0,\"period\":30,\"algorithm\":\"HmacSHA1\",\"counter\":0}",
                    "{\"value\":\"" + secret + "\"}"))));
            case 11 -> cred("OTP with an unknown algorithm", holder, bytes(credential(holder, "otp", 1, new KeycloakCredentials.Stored(
                    "{\"subType\":\"totp\",\"digits\":6,\"period\":30,\"algorithm\":\"ROT13\",\"counter\":0}",
                    "{\"value\":\"" + secret + "\"}"))));
            case 12 -> cred("WebAuthn credential with meaningless data", holder, bytes(credential(holder, "webauthn", 1,
                    new KeycloakCredentials.Stored("{\"credentialId\":\"\",\"credentialPublicKey\":\"not base64 !\"}", "{}"))));
            case 13 -> cred("credential type no provider handles", holder, bytes(credential(holder, "carrier-pigeon", 1, pbkdf2(210_000))));
            case 14 -> cred("credential version 2^63", holder, bytes(credential(holder, "password", TWO_TO_63, pbkdf2(210_000))));
            case 15 -> cred("credential event with trailing garbage, with a secret", holder,
                    bytes(credential(holder, "password", 1, pbkdf2(210_000)) + " " + secret));
            case 16 -> {
                ObjectNode revoked = envelope("replica.credential.revoked", holder);
                revoked.putObject("data").putObject("credential").put("id", "c").put("type", "password").put("version", TWO_TO_63);
                yield cred("revocation with version 2^63", holder, bytes(revoked));
            }
            case 17 -> cred("identity event on the credential topic", holder, bytes(upsert(holder)));
            default -> throw new IllegalArgumentException("no credential kind " + index);
        };
        return kind;
    }

    private static Kind cred(String name, String holder, byte[] value) {
        return new Kind(name, Target.CREDENTIALS, holder, value);
    }

    private List<Kind> snapshotKinds(Upstream upstream) {
        List<Kind> kinds = new ArrayList<>();
        kinds.add(new Kind("identity snapshot not JSON", Target.IDENTITY_SNAPSHOT, key("snapshot-not-json"), bytes("{ not json")));
        String k = key("snapshot-version");
        ObjectNode snapshot = upsert(k);
        snapshot.put("type", "replica.identity.snapshot");
        ((ObjectNode) attributes(snapshot).get("enabled")).put("version", TWO_TO_63);
        kinds.add(new Kind("identity snapshot with version 2^63", Target.IDENTITY_SNAPSHOT, k, bytes(snapshot)));
        k = key("snapshot-nul");
        ObjectNode nul = upsert(k);
        nul.put("type", "replica.identity.snapshot");
        ((ObjectNode) attributes(nul).get("username")).put("value", "nul\u0000");
        kinds.add(new Kind("identity snapshot with a NUL", Target.IDENTITY_SNAPSHOT, k, bytes(nul)));
        k = key("snapshot-wrong-key");
        ObjectNode other = upsert("another-subject-" + run);
        other.put("type", "replica.identity.snapshot");
        kinds.add(new Kind("identity snapshot under another subject's key", Target.IDENTITY_SNAPSHOT, k, bytes(other)));
        kinds.add(new Kind("credentials snapshot not JSON, with a secret", Target.CREDENTIALS_SNAPSHOT, key("credentials-snapshot"),
                bytes("{\"credentials\":[{\"secretData\":\"" + secret + "\"")));
        k = key("credentials-snapshot-trailing");
        ObjectNode credentials = envelope("replica.credentials.snapshot", k);
        ArrayNode items = credentials.putObject("data").putArray("credentials");
        items.addObject().put("id", "c1").put("type", "password").put("version", 1).put("credentialData", pbkdf2(210_000).credentialData())
                .put("secretData", secretData());
        kinds.add(new Kind("credentials snapshot with trailing garbage, with a secret", Target.CREDENTIALS_SNAPSHOT, k,
                bytes(credentials + "," + secret)));
        return kinds;
    }

    private List<Kind> heartbeatKinds(Upstream upstream) {
        List<Kind> kinds = new ArrayList<>();
        kinds.add(new Kind("heartbeat not JSON", Target.HEARTBEAT, key("heartbeat-not-json"), bytes("beat")));
        String k = key("heartbeat-offset");
        ObjectNode heartbeat = envelope("replica.heartbeat", k);
        ObjectNode data = heartbeat.putObject("data");
        data.put("intervalMillis", 1000);
        data.putObject("positions").putObject(upstream.topics().identity()).put("0", TWO_TO_63);
        kinds.add(new Kind("heartbeat with an offset of 2^63", Target.HEARTBEAT, k, bytes(heartbeat)));
        return kinds;
    }
}
