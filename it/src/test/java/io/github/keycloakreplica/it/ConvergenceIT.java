package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.keycloakreplica.protocol.Fact;
import io.github.keycloakreplica.protocol.SubjectApply;
import io.github.keycloakreplica.protocol.SubjectIds;
import io.github.keycloakreplica.stack.KeycloakHttp;
import io.github.keycloakreplica.stack.upstream.KeycloakCredentials;
import io.github.keycloakreplica.stack.upstream.Upstream;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamEvent;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated upstream histories, thousands of subjects at once, through the real apply engine into
 * Keycloak's tables: every change delivered reordered across and within subjects, some duplicated, some
 * lost (and repaired from the snapshot topics past the gap timeout), people deleted and created again,
 * passwords changed under the same and under new credential ids, credentials before the person,
 * usernames moving between subjects on different partitions, roles that exist only later. Then every
 * user, its attributes, roles, groups and credentials is compared with the authority's final state (what
 * in-order delivery leaves), and every person with a password signs in with the one Keycloak should show.
 *
 * <p>The seed is printed; {@code -Dreplica.convergence.seed=...} replays a run, and
 * {@code -Dreplica.convergence.subjects=...} changes its size.
 */
@ExtendWith(ReplicaStack.class)
class ConvergenceIT {

    private static final int SUBJECTS = Integer.getInteger("replica.convergence.subjects", 2_000);
    private static final int OPERATIONS_PER_SUBJECT = 5;
    private static final int PARTITIONS = 3;
    /** How far (in events) an event may move from its place in the authority's order. */
    private static final int REORDER_WINDOW = 3_000;
    private static final int DUPLICATE_PERCENT = 8;
    private static final int LOSS_PERCENT = 4;
    private static final int HASH_ITERATIONS = 1_000;
    private static final List<String> REALM_ROLES = List.of("cv-r1", "cv-r2", "cv-r3");
    private static final String LATE_ROLE = "cv-late";
    private static final List<String> GROUPS = List.of("/cv-g1", "/cv-g2", "/cv-g2/sub");
    private static final String CLIENT = "cv-app";
    private static final List<String> CLIENT_ROLES = List.of("a1", "a2");
    /** What the admin REST API may also list among a user's attributes; compared on their own. */
    private static final Set<String> ROOT_ATTRIBUTES = Set.of("username", "email", "firstName", "lastName");

    /** The test's own view of one person at the authority, to generate valid histories (usernames unique at every moment). */
    private static final class Person {
        final String subject;
        final int index;
        boolean live;
        String username;
        int emails;
        final Map<String, String> passwords = new HashMap<>();
        final Map<String, String> otpSecrets = new TreeMap<>();
        final List<String> credentials = new ArrayList<>();

        Person(String subject, int index) {
            this.subject = subject;
            this.index = index;
        }
    }

    /** What the run did, printed at the end. */
    private final Map<String, Integer> counts = new TreeMap<>();

    private void count(String what) {
        counts.merge(what, 1, Integer::sum);
    }

    @Test
    void generatedHistoriesEndInKeycloakAsInOrderDeliveryLeavesThem(ReplicaSite site) throws Exception {
        long seed = Long.getLong("replica.convergence.seed", System.nanoTime());
        System.out.printf("ConvergenceIT: seed %d (replay with -Dreplica.convergence.seed=%d), %d subjects%n", seed, seed, SUBJECTS);
        Random random = new Random(seed);
        try (TestRealm realm = new TestRealm(site, "converge")) {
            KeycloakHttp http = site.keycloak();
            prepareRealm(http, realm);
            Upstream upstream = realm.upstream(PARTITIONS);
            realm.replicate(upstream, Map.of("gapTimeoutSeconds", "3"));
            // Following the deltas before anything is published: a replica that starts later bootstraps from the
            // snapshot topics, which hold only the final states.
            List<String> sentinels = sentinels(upstream);
            String first = sentinels.get(0);
            upstream.upsert(first, Map.of("username", "cv-sentinel-" + first.substring(0, 8), "enabled", true));
            realm.awaitUser("cv-sentinel-" + first.substring(0, 8), u -> true);

            List<Person> people = new ArrayList<>();
            for (int i = 0; i < SUBJECTS; i++) {
                people.add(new Person(id(random), i));
            }
            String tag = realm.name.substring(realm.name.length() - 8);
            List<StreamEvent> history = generate(upstream, people, random, tag);
            List<StreamEvent> delivery = deliveryOf(history, random);
            long started = System.currentTimeMillis();
            for (int from = 0; from < delivery.size(); from += 1_000) {
                upstream.sendAll(delivery.subList(from, Math.min(delivery.size(), from + 1_000)));
            }
            // A role named all along, created only now: granted once it exists.
            assertThat(http.admin("POST", realm.name + "/roles", Map.of("name", LATE_ROLE)).status()).isEqualTo(201);
            // One last event per partition of both topics: when each has applied, everything before it has.
            for (String sentinel : sentinels) {
                String name = "cv-sentinel-" + sentinel.substring(0, 8);
                upstream.upsert(sentinel, Map.of("username", name, "enabled", true));
                upstream.credential(sentinel, "pw-" + sentinel, "password", KeycloakCredentials.password("sentinel", HASH_ITERATIONS), null);
            }
            Awaitility.await("every partition applied").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> sentinels.stream().allMatch(s -> {
                        KeycloakHttp.Response r = http.admin("GET", realm.name + "/users/" + s + "/credentials", null);
                        return r.status() == 200 && r.json().size() == 1;
                    }));
            Awaitility.await("every gap closed, no subject waiting for a username").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> http.admin("GET", realm.name + "/replica/gaps?max=1", null).json().get("total").asLong() == 0);
            long converged = System.currentTimeMillis() - started;

            Map<String, Expected> expected = new LinkedHashMap<>();
            people.forEach(p -> expected.put(p.subject, expected(upstream, p)));
            sentinels.forEach(s -> expected.put(s, new Expected(true, "cv-sentinel-" + s.substring(0, 8), null, null, null, true,
                    Map.of(), Set.of(), Set.of(), Set.of(), Set.of(SubjectIds.credentialId("pw-" + s)), "sentinel", List.of())));
            List<String> mismatches = Awaitility.await("Keycloak's tables equal the authority's final state")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> compare(http, realm, expected), List::isEmpty);
            assertThat(mismatches).isEmpty();

            List<String> refused = new ArrayList<>();
            List<String> admitted = new ArrayList<>();
            int signedIn = 0;
            int turnedAway = 0;
            for (Map.Entry<String, Expected> e : expected.entrySet()) {
                Expected person = e.getValue();
                if (person.live() && !person.enabled() && person.password() != null) {
                    // Disabled upstream: the right password does not sign in.
                    KeycloakHttp.Response grant = signIn(site, realm, person);
                    if (grant.status() == 200) {
                        admitted.add(person.username() + " (" + e.getKey() + ")");
                    } else {
                        turnedAway++;
                    }
                } else if (person.live() && person.password() != null) {
                    KeycloakHttp.Response grant = signIn(site, realm, person);
                    if (grant.status() == 200) {
                        signedIn++;
                    } else {
                        refused.add(person.username() + " (" + e.getKey() + ", " + person.otpSecrets().size() + " authenticator apps): " + grant);
                    }
                }
            }
            counts.put("people signed in", signedIn);
            counts.put("disabled people refused", turnedAway);
            counts.put("users", (int) expected.values().stream().filter(Expected::live).count());
            System.out.printf("ConvergenceIT: seed %d, %d events generated, %d delivered, applied and converged in %d ms; %s%n",
                    seed, history.size(), delivery.size(), converged, counts);
            assertThat(refused).as("people who could not sign in with the password Keycloak should show").isEmpty();
            assertThat(admitted).as("people disabled upstream who signed in").isEmpty();
            assertThat(realm.deadLetterCount()).as("dead letters").isZero();
            assertThat(realm.meter("keycloak_replica_events_total", "outcome=\"rejected\"")).isZero();
            assertThat(realm.meter("keycloak_replica_batch_fallbacks_total", null))
                    .as("batches applied again one record per transaction").isZero();
            String log = Files.readString(site.server().logFile());
            assertThat(log).doesNotContain("TransientPropertyValueException");
            // The engine never let a user differ from its ledger: no repair found anything to put right.
            String component = "replica " + realm.componentId() + ":";
            assertThat(log.lines().filter(line -> line.contains(component))
                    .filter(line -> line.contains("differed from its ledger") || line.contains("was missing; created")))
                    .as("drift found by repairs").isEmpty();
        }
    }

    /**
     * A password grant as the person makes it. The direct grant flow asks a person with an authenticator
     * app for its code as well, and checks it against one of them (Keycloak's first): whichever app the
     * person holds, one of the codes signs in.
     */
    private static KeycloakHttp.Response signIn(ReplicaSite site, TestRealm realm, Expected person) {
        if (person.otpSecrets().isEmpty()) {
            return realm.grant(person.username(), person.password());
        }
        KeycloakHttp http = site.keycloak();
        KeycloakHttp.Response grant = null;
        for (String secret : person.otpSecrets()) {
            grant = http.postForm(http.baseUrl() + "/realms/" + realm.name + "/protocol/openid-connect/token", Map.of(
                    "grant_type", "password", "client_id", "admin-cli", "username", person.username(),
                    "password", person.password(), "totp", KeycloakCredentials.totpCode(secret, System.currentTimeMillis())));
            if (grant.status() == 200) {
                return grant;
            }
        }
        return grant;
    }

    /** The realm's roles, groups, client and a password policy that matches the hashes the authority makes. */
    private static void prepareRealm(KeycloakHttp http, TestRealm realm) {
        JsonNode representation = http.admin("GET", realm.name, null).json();
        ((ObjectNode) representation).put("passwordPolicy",
                "hashAlgorithm(pbkdf2-sha512) and hashIterations(" + HASH_ITERATIONS + ")");
        assertThat(http.admin("PUT", realm.name, representation).status()).isEqualTo(204);
        REALM_ROLES.forEach(role -> assertThat(http.admin("POST", realm.name + "/roles", Map.of("name", role)).status()).isEqualTo(201));
        assertThat(http.admin("POST", realm.name + "/groups", Map.of("name", "cv-g1")).status()).isEqualTo(201);
        assertThat(http.admin("POST", realm.name + "/groups", Map.of("name", "cv-g2")).status()).isEqualTo(201);
        assertThat(http.admin("POST", realm.name + "/groups/" + groupId(http, realm, "/cv-g2") + "/children", Map.of("name", "sub")).status())
                .isEqualTo(201);
        assertThat(http.admin("POST", realm.name + "/clients", Map.of("clientId", CLIENT)).status()).isEqualTo(201);
        String client = clientId(http, realm);
        CLIENT_ROLES.forEach(role -> assertThat(http.admin("POST", realm.name + "/clients/" + client + "/roles", Map.of("name", role)).status())
                .isEqualTo(201));
    }

    /** One subject per partition (Kafka's default partitioner on the key), for the sentinels. */
    private static List<String> sentinels(Upstream upstream) {
        Map<Integer, String> byPartition = new TreeMap<>();
        while (byPartition.size() < PARTITIONS) {
            String subject = UUID.randomUUID().toString();
            byPartition.putIfAbsent(upstream.partitionOf(subject), subject);
        }
        return new ArrayList<>(byPartition.values());
    }

    /** The authority's changes, in its order: each one changes its state (and snapshot) and gives the delta, unsent. */
    private List<StreamEvent> generate(Upstream upstream, List<Person> people, Random random, String tag) {
        List<StreamEvent> events = new ArrayList<>();
        List<String> released = new ArrayList<>();
        int[] names = {0};
        Supplier<String> freshName = () -> {
            if (!released.isEmpty() && random.nextInt(100) < 60) {
                count("usernames given again");
                return released.remove(random.nextInt(released.size()));
            }
            return "cv-" + tag + "-" + names[0]++;
        };
        for (int op = 0; op < SUBJECTS * OPERATIONS_PER_SUBJECT; op++) {
            Person p = people.get(random.nextInt(people.size()));
            int roll = random.nextInt(100);
            if (!p.live) {
                if (roll < 20) {
                    events.add(newPassword(upstream, p, random));
                    count("credentials while no user");
                    continue;
                }
                p.live = true;
                p.username = freshName.get();
                Map<String, Object> attributes = new LinkedHashMap<>();
                attributes.put("username", p.username);
                attributes.put("enabled", true);
                attributes.put("email", email(p));
                attributes.put("firstName", "First" + random.nextInt(5));
                attributes.put("lastName", "Last" + random.nextInt(5));
                attributes.put("department", "d" + random.nextInt(4));
                attributes.put("realmRoles", roles(random));
                attributes.put("groups", subset(GROUPS, random));
                attributes.put("clientRoles." + CLIENT, subset(CLIENT_ROLES, random));
                events.add(upstream.upsertEvent(p.subject, attributes));
                count(p.credentials.isEmpty() && p.passwords.isEmpty() ? "people created" : "people created with credentials held");
            } else if (roll < 30) {
                Map<String, Object> attributes = new HashMap<>();
                int changes = 1 + random.nextInt(3);
                for (int c = 0; c < changes; c++) {
                    switch (random.nextInt(8)) {
                        case 0 -> attributes.put("email", email(p));
                        case 1 -> attributes.put("firstName", "First" + random.nextInt(9));
                        case 2 -> attributes.put("enabled", random.nextBoolean());
                        case 3 -> attributes.put("department", random.nextInt(4) == 0 ? null : "d" + random.nextInt(4));
                        case 4 -> attributes.put("realmRoles", roles(random));
                        case 5 -> attributes.put("groups", subset(GROUPS, random));
                        case 6 -> attributes.put("clientRoles." + CLIENT, subset(CLIENT_ROLES, random));
                        default -> attributes.put("lastName", "Last" + random.nextInt(9));
                    }
                }
                events.add(upstream.upsertEvent(p.subject, attributes));
                count("attribute changes");
            } else if (roll < 42) {
                String old = p.username;
                p.username = freshName.get();
                released.add(old);
                events.add(upstream.upsertEvent(p.subject, Map.of("username", p.username)));
                count("renames");
            } else if (roll < 50) {
                released.add(p.username);
                p.live = false;
                p.username = null;
                events.add(upstream.deleteEvent(p.subject));
                count("deletions");
            } else if (roll < 68 && !p.credentials.isEmpty()) {
                String id = p.credentials.get(random.nextInt(p.credentials.size()));
                if (p.passwords.containsKey(id)) {
                    String password = "pw-" + random.nextLong();
                    p.passwords.put(id, password);
                    events.add(upstream.credentialEvent(p.subject, id, "password", KeycloakCredentials.password(password, HASH_ITERATIONS), null));
                    count("passwords changed under the same id");
                } else {
                    String secret = "secret-" + random.nextInt(1000);
                    p.otpSecrets.put(id, secret);
                    events.add(upstream.credentialEvent(p.subject, id, "otp", KeycloakCredentials.totp(secret), id));
                    count("otp changed");
                }
            } else if (roll < 82) {
                events.add(newPassword(upstream, p, random));
                count("passwords under a new credential id");
            } else if (roll < 92 && !p.credentials.isEmpty()) {
                String id = p.credentials.remove(random.nextInt(p.credentials.size()));
                p.otpSecrets.remove(id);
                String type = p.passwords.remove(id) != null ? "password" : "otp";
                events.add(upstream.revokeEvent(p.subject, id, type));
                count("credentials revoked");
            } else {
                String id = "otp-" + id(random);
                String secret = "secret-" + random.nextInt(1000);
                p.credentials.add(id);
                p.otpSecrets.put(id, secret);
                events.add(upstream.credentialEvent(p.subject, id, "otp", KeycloakCredentials.totp(secret), id));
                count("otp added");
            }
        }
        return events;
    }

    private static StreamEvent newPassword(Upstream upstream, Person p, Random random) {
        String id = "pw-" + id(random);
        String password = "pw-" + random.nextLong();
        p.credentials.add(id);
        p.passwords.put(id, password);
        return upstream.credentialEvent(p.subject, id, "password", KeycloakCredentials.password(password, HASH_ITERATIONS), null);
    }

    /** Ids from the run's seed: the same seed puts the same subjects on the same partitions. */
    private static String id(Random random) {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private static String email(Person p) {
        // Never given to anyone else: an email moving between people is not what this run is about.
        return "p" + p.index + "-" + p.emails++ + "@converge.example";
    }

    private static List<String> roles(Random random) {
        List<String> roles = new ArrayList<>(subset(REALM_ROLES, random));
        if (random.nextInt(10) == 0) {
            roles.add(LATE_ROLE);
        }
        return roles;
    }

    private static List<String> subset(List<String> of, Random random) {
        return of.stream().filter(x -> random.nextBoolean()).toList();
    }

    /**
     * The order the replica receives: some events lost (only where a later delivered event of the same
     * subject carries each of its facts, so a gap opens and is repaired from the snapshots), some twice,
     * and every one moved up to {@link #REORDER_WINDOW} places from where the authority made it.
     */
    private List<StreamEvent> deliveryOf(List<StreamEvent> history, Random random) {
        Map<String, Set<Fact.Key>> covered = new HashMap<>();
        List<StreamEvent> kept = new ArrayList<>();
        for (int i = history.size() - 1; i >= 0; i--) {
            StreamEvent event = history.get(i);
            Set<Fact.Key> keys = SubjectApply.facts(event).stream().map(Fact::key).collect(Collectors.toSet());
            Set<Fact.Key> later = covered.computeIfAbsent(event.subject(), s -> new HashSet<>());
            if (later.containsAll(keys) && random.nextInt(100) < LOSS_PERCENT) {
                count("events lost");
                continue;
            }
            later.addAll(keys);
            kept.add(0, event);
        }
        List<Map.Entry<Integer, StreamEvent>> placed = new ArrayList<>();
        for (int i = 0; i < kept.size(); i++) {
            placed.add(Map.entry(i + random.nextInt(REORDER_WINDOW), kept.get(i)));
            if (random.nextInt(100) < DUPLICATE_PERCENT) {
                placed.add(Map.entry(i + random.nextInt(REORDER_WINDOW), kept.get(i)));
                count("events delivered twice");
            }
        }
        placed.sort(Map.Entry.comparingByKey());
        return placed.stream().map(Map.Entry::getValue).toList();
    }

    /** A person as Keycloak must hold it after everything applied. */
    private record Expected(boolean live, String username, String email, String firstName, String lastName, boolean enabled,
                            Map<String, List<String>> attributes, Set<String> realmRoles, Set<String> groups, Set<String> clientRoles,
                            Set<String> credentials, String password, List<String> otpSecrets) {
    }

    /** From the authority's final state: what in-order delivery leaves. */
    private static Expected expected(Upstream upstream, Person p) {
        Map<String, JsonNode> attributes = upstream.attributes(p.subject);
        if (!attributes.containsKey("username")) {
            return new Expected(false, null, null, null, null, true, Map.of(), Set.of(), Set.of(), Set.of(), Set.of(), null, List.of());
        }
        List<ReplicatedCredential> present = upstream.credentials(p.subject);
        // Keycloak shows every present credential but one password: the newest by createdDate, then the greatest id.
        ReplicatedCredential password = present.stream().filter(c -> "password".equals(c.type()))
                .max(Comparator.comparingLong((ReplicatedCredential c) -> c.createdDate() == null ? Long.MIN_VALUE : c.createdDate())
                        .thenComparing(ReplicatedCredential::id))
                .orElse(null);
        Set<String> credentials = new TreeSet<>();
        // As Keycloak keeps them: an id too long for its column becomes a name-based UUID.
        present.stream().filter(c -> !"password".equals(c.type())).forEach(c -> credentials.add(SubjectIds.credentialId(c.id())));
        if (password != null) {
            credentials.add(SubjectIds.credentialId(password.id()));
        }
        Map<String, List<String>> userAttributes = new TreeMap<>();
        if (attributes.containsKey("department")) {
            userAttributes.put("department", List.of(attributes.get("department").asText()));
        }
        return new Expected(true, text(attributes, "username").toLowerCase(Locale.ROOT), lower(text(attributes, "email")), text(attributes, "firstName"),
                text(attributes, "lastName"), !attributes.containsKey("enabled") || attributes.get("enabled").asBoolean(), userAttributes,
                list(attributes, "realmRoles"), list(attributes, "groups"), list(attributes, "clientRoles." + CLIENT), credentials,
                password == null ? null : p.passwords.get(password.id()), List.copyOf(p.otpSecrets.values()));
    }

    private static String text(Map<String, JsonNode> attributes, String name) {
        JsonNode value = attributes.get(name);
        return value == null ? null : value.asText();
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static Set<String> list(Map<String, JsonNode> attributes, String name) {
        Set<String> values = new TreeSet<>();
        JsonNode value = attributes.get(name);
        if (value != null) {
            value.forEach(v -> values.add(v.asText()));
        }
        return values;
    }

    /** Every difference between Keycloak's users (through admin REST) and what they must be. */
    private static List<String> compare(KeycloakHttp http, TestRealm realm, Map<String, Expected> expected) {
        List<String> mismatches = new ArrayList<>();
        Map<String, JsonNode> users = new HashMap<>();
        for (int first = 0; ; first += 1_000) {
            JsonNode page = http.admin("GET", realm.name + "/users?briefRepresentation=false&first=" + first + "&max=1000", null).json();
            page.forEach(u -> users.put(u.get("id").asText(), u));
            if (page.size() < 1_000) {
                break;
            }
        }
        Map<String, Set<String>> realmRoles = new HashMap<>();
        for (String role : concat(REALM_ROLES, List.of(LATE_ROLE))) {
            members(http, realm.name + "/roles/" + role + "/users").forEach(id -> realmRoles.computeIfAbsent(id, k -> new TreeSet<>()).add(role));
        }
        Map<String, Set<String>> clientRoles = new HashMap<>();
        String client = clientId(http, realm);
        for (String role : CLIENT_ROLES) {
            members(http, realm.name + "/clients/" + client + "/roles/" + role + "/users")
                    .forEach(id -> clientRoles.computeIfAbsent(id, k -> new TreeSet<>()).add(role));
        }
        Map<String, Set<String>> groups = new HashMap<>();
        for (String path : GROUPS) {
            members(http, realm.name + "/groups/" + groupId(http, realm, path) + "/members")
                    .forEach(id -> groups.computeIfAbsent(id, k -> new TreeSet<>()).add(path));
        }
        for (Map.Entry<String, Expected> e : expected.entrySet()) {
            String subject = e.getKey();
            Expected want = e.getValue();
            JsonNode user = users.remove(subject);
            if (!want.live()) {
                if (user != null) {
                    mismatches.add(subject + ": deleted upstream, but user " + user.get("username").asText() + " exists");
                }
                continue;
            }
            if (user == null) {
                mismatches.add(subject + ": no user, expected " + want.username());
                continue;
            }
            check(mismatches, subject, "username", want.username(), user.path("username").asText(null));
            check(mismatches, subject, "email", want.email(), user.path("email").asText(null));
            check(mismatches, subject, "firstName", want.firstName(), user.path("firstName").asText(null));
            check(mismatches, subject, "lastName", want.lastName(), user.path("lastName").asText(null));
            check(mismatches, subject, "enabled", want.enabled(), user.path("enabled").asBoolean());
            Map<String, List<String>> attributes = new TreeMap<>();
            user.path("attributes").fields().forEachRemaining(a -> {
                if (ROOT_ATTRIBUTES.contains(a.getKey())) {
                    return;
                }
                List<String> values = new ArrayList<>();
                a.getValue().forEach(v -> values.add(v.asText()));
                attributes.put(a.getKey(), values);
            });
            check(mismatches, subject, "attributes", want.attributes(), attributes);
            check(mismatches, subject, "realm roles", want.realmRoles(), realmRoles.getOrDefault(subject, Set.of()));
            check(mismatches, subject, "client roles", want.clientRoles(), clientRoles.getOrDefault(subject, Set.of()));
            check(mismatches, subject, "groups", want.groups(), groups.getOrDefault(subject, Set.of()));
            Set<String> credentials = new TreeSet<>(People.names(http.admin("GET", realm.name + "/users/" + subject + "/credentials", null)
                    .json(), "id"));
            check(mismatches, subject, "credentials", want.credentials(), credentials);
        }
        users.values().forEach(u -> mismatches.add(u.get("id").asText() + ": user " + u.get("username").asText() + " should not exist"));
        if (!mismatches.isEmpty()) {
            System.out.printf("ConvergenceIT: %d mismatches, the first: %s%n", mismatches.size(),
                    mismatches.subList(0, Math.min(20, mismatches.size())));
        }
        return mismatches;
    }

    private static void check(List<String> mismatches, String subject, String what, Object expected, Object actual) {
        if (!Objects.equals(expected, actual)) {
            mismatches.add(subject + ": " + what + " is " + actual + ", expected " + expected);
        }
    }

    private static Set<String> members(KeycloakHttp http, String path) {
        Set<String> ids = new HashSet<>();
        JsonNode members = http.admin("GET", path + "?first=0&max=100000", null).json();
        members.forEach(m -> ids.add(m.get("id").asText()));
        return ids;
    }

    private static String groupId(KeycloakHttp http, TestRealm realm, String path) {
        return http.admin("GET", realm.name + "/group-by-path" + URLEncoder.encode(path, StandardCharsets.UTF_8).replace("%2F", "/"), null)
                .json().get("id").asText();
    }

    private static String clientId(KeycloakHttp http, TestRealm realm) {
        return http.admin("GET", realm.name + "/clients?clientId=" + CLIENT, null).json().get(0).get("id").asText();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
