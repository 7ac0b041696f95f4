package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import io.github.keycloakreplica.stream.CredentialRevocation;
import io.github.keycloakreplica.stream.CredentialUpsert;
import io.github.keycloakreplica.stream.Envelope;
import io.github.keycloakreplica.stream.EventType;
import io.github.keycloakreplica.stream.IdentityDeletion;
import io.github.keycloakreplica.stream.IdentityUpsert;
import io.github.keycloakreplica.stream.ReplicatedCredential;
import io.github.keycloakreplica.stream.StreamEvent;
import io.github.keycloakreplica.stream.VersionedValue;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The heart of the product: an upstream history of one subject, delivered reordered, duplicated and
 * with losses that a snapshot repairs, ends in exactly the state in-order delivery produces, both in
 * the ledger and in the Keycloak user built from its changes.
 */
class ConvergenceProperties {

    private static final List<String> ATTRIBUTES = List.of("username", "email", "enabled", "realmRoles", "department");
    private static final List<String> CREDENTIALS = List.of("c1", "c2");

    /** One change at the authority. */
    sealed interface Op permits Upsert, Delete, PutCredential, RevokeCredential {
    }

    record Upsert(Map<String, Integer> values) implements Op {
    }

    record Delete() implements Op {
    }

    record PutCredential(String id, int secret) implements Op {
    }

    record RevokeCredential(String id) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Op> upsert = Arbitraries.subsetOf(ATTRIBUTES).ofMinSize(1)
                .flatMap(names -> Arbitraries.integers().between(0, 3).list().ofSize(names.size()).map(values -> {
                    Map<String, Integer> map = new TreeMap<>();
                    int i = 0;
                    for (String name : names) {
                        map.put(name, values.get(i++));
                    }
                    return new Upsert(map);
                }));
        Arbitrary<Op> delete = Arbitraries.just(new Delete());
        Arbitrary<Op> put = Combinators.combine(Arbitraries.of(CREDENTIALS), Arbitraries.integers().between(0, 9)).as(PutCredential::new);
        Arbitrary<Op> revoke = Arbitraries.of(CREDENTIALS).map(RevokeCredential::new);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, upsert), net.jqwik.api.Tuple.of(1, delete),
                net.jqwik.api.Tuple.of(2, put), net.jqwik.api.Tuple.of(1, revoke)).list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 3000)
    void reorderedDuplicatedAndRepairedDeliveryConvergesToInOrderState(
            @ForAll("histories") List<Op> history, @ForAll Random random,
            @ForAll @IntRange(min = 0, max = 30) int lossPercent, @ForAll @IntRange(min = 0, max = 50) int duplicatePercent) {
        Authority authority = new Authority();
        List<StreamEvent> events = new ArrayList<>();
        List<List<Fact>> snapshots = new ArrayList<>();
        for (Op op : history) {
            events.add(authority.perform(op));
            snapshots.add(authority.snapshot());
        }

        Ledger inOrder = Ledger.empty();
        UserModel inOrderUser = new UserModel();
        for (StreamEvent event : events) {
            inOrderUser.apply(SubjectApply.apply(inOrder, event).changes());
        }

        // Losses before the snapshot point are covered by the snapshot taken there; everything after it
        // is delivered. Without losses a snapshot may still come, or not.
        int snapshotAfter = random.nextInt(events.size() + 1) - 1;
        List<Object> delivery = new ArrayList<>();
        boolean lost = false;
        for (int i = 0; i < events.size(); i++) {
            if (i <= snapshotAfter && random.nextInt(100) < lossPercent) {
                lost = true;
                continue;
            }
            delivery.add(events.get(i));
            if (random.nextInt(100) < duplicatePercent) {
                delivery.add(events.get(i));
            }
        }
        boolean withSnapshot = snapshotAfter >= 0 && (lost || random.nextBoolean());
        if (withSnapshot) {
            delivery.add(snapshots.get(snapshotAfter));
        }
        Collections.shuffle(delivery, random);

        Ledger replica = Ledger.empty();
        UserModel replicaUser = new UserModel();
        Map<Fact.Key, Long> lastApplied = new HashMap<>();
        for (Object item : delivery) {
            boolean repair = !(item instanceof StreamEvent);
            SubjectApply.Result result = repair
                    ? SubjectApply.repair(replica, castFacts(item))
                    : SubjectApply.apply(replica, (StreamEvent) item);
            for (Fact fact : result.applied()) {
                long previous = lastApplied.getOrDefault(fact.key(), 0L);
                // The replica walks each attribute's history one version at a time; only a snapshot jumps.
                if (!repair) {
                    assertThat(fact.version()).as(fact.key() + " applied without its predecessor").isEqualTo(previous + 1);
                }
                assertThat(fact.version()).isGreaterThan(previous);
                lastApplied.put(fact.key(), fact.version());
            }
            replicaUser.apply(result.changes());
        }

        Statistics.label("losses").collect(lost);
        Statistics.label("snapshot").collect(withSnapshot);
        assertThat(state(replica)).isEqualTo(state(inOrder));
        assertThat(replica.bufferedFacts()).as("gap buffer drained").isEmpty();
        assertThat(replica.live()).isEqualTo(inOrder.live());
        assertThat(replicaUser).isEqualTo(inOrderUser);
        if (inOrder.live()) {
            // Two passwords at once (a new credential id before the old one's revocation) show as one.
            assertThat(replicaUser.credentials.keySet()).isEqualTo(CredentialProjection.of(inOrder.current(Fact.Kind.CREDENTIAL)).keySet());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Fact> castFacts(Object item) {
        return (List<Fact>) item;
    }

    private static Map<Fact.Key, String> state(Ledger ledger) {
        Map<Fact.Key, String> state = new HashMap<>();
        ledger.currentFacts().forEach(f -> state.put(f.key(), f.version() + ":" + f.value()));
        return state;
    }

    /** Keycloak's copy of the subject, built only from the user changes the replica emits. */
    static final class UserModel {
        boolean exists;
        final Map<String, JsonNode> attributes = new TreeMap<>();
        final Map<String, JsonNode> credentials = new TreeMap<>();

        void apply(List<UserChange> changes) {
            for (UserChange change : changes) {
                if (change instanceof UserChange.Create create) {
                    exists = true;
                    attributes.clear();
                    credentials.clear();
                    create.attributes().forEach((k, f) -> attributes.put(k, f.value()));
                    create.credentials().forEach((k, f) -> credentials.put(k, f.value()));
                } else if (change instanceof UserChange.Delete) {
                    exists = false;
                    attributes.clear();
                    credentials.clear();
                } else if (change instanceof UserChange.SetAttribute set) {
                    if (set.fact().present()) {
                        attributes.put(set.fact().name(), set.fact().value());
                    } else {
                        attributes.remove(set.fact().name());
                    }
                } else if (change instanceof UserChange.SetCredentials set) {
                    credentials.clear();
                    set.credentials().forEach((k, f) -> credentials.put(k, f.value()));
                } else if (change instanceof UserChange.Project project) {
                    exists = true;
                    attributes.clear();
                    credentials.clear();
                    project.attributes().forEach((k, f) -> {
                        if (f.present()) {
                            attributes.put(k, f.value());
                        }
                    });
                    project.credentials().forEach((k, f) -> credentials.put(k, f.value()));
                }
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UserModel other && exists == other.exists && attributes.equals(other.attributes)
                    && credentials.equals(other.credentials);
        }

        @Override
        public int hashCode() {
            return attributes.hashCode();
        }

        @Override
        public String toString() {
            return "User[exists=" + exists + ", attributes=" + attributes + ", credentials=" + credentials.keySet() + "]";
        }
    }

    /** Keeps per-attribute and per-credential versions as the stream contract requires of an authority. */
    static final class Authority {
        private final Map<String, Long> attributeVersions = new HashMap<>();
        private final Map<String, JsonNode> attributeValues = new HashMap<>();
        private final Map<String, Long> credentialVersions = new HashMap<>();
        private final Map<String, JsonNode> credentialValues = new HashMap<>();
        private int sequence;

        StreamEvent perform(Op op) {
            if (op instanceof Upsert upsert) {
                Map<String, VersionedValue> changed = new LinkedHashMap<>();
                upsert.values().forEach((name, value) -> {
                    JsonNode node = name.equals("enabled") ? BooleanNode.valueOf(value % 2 == 0) : TextNode.valueOf(name + value);
                    long version = attributeVersions.merge(name, 1L, Long::sum);
                    attributeValues.put(name, node);
                    changed.put(name, new VersionedValue(node, version));
                });
                return new IdentityUpsert(envelope(EventType.IDENTITY_UPSERTED), changed);
            }
            if (op instanceof Delete) {
                Map<String, Long> tombstone = new TreeMap<>();
                attributeVersions.replaceAll((name, version) -> version + 1);
                attributeVersions.putIfAbsent("username", 1L);
                tombstone.putAll(attributeVersions);
                attributeValues.clear();
                return new IdentityDeletion(envelope(EventType.IDENTITY_DELETED), tombstone);
            }
            if (op instanceof PutCredential put) {
                long version = credentialVersions.merge(put.id(), 1L, Long::sum);
                ReplicatedCredential credential = new ReplicatedCredential(put.id(), "password", version,
                        "{\"algorithm\":\"pbkdf2-sha512\",\"hashIterations\":1}", "{\"value\":\"" + put.secret() + "\"}",
                        // Later credentials are newer: a new id with a later createdDate replaces the password.
                        (long) sequence, null);
                credentialValues.put(put.id(), SubjectApply.credentialValue(credential));
                return new CredentialUpsert(envelope(EventType.CREDENTIAL_UPSERTED), credential);
            }
            RevokeCredential revoke = (RevokeCredential) op;
            long version = credentialVersions.merge(revoke.id(), 1L, Long::sum);
            credentialValues.remove(revoke.id());
            return new CredentialRevocation(envelope(EventType.CREDENTIAL_REVOKED), revoke.id(), "password", version);
        }

        /** The full state with versions, as the compacted snapshot topics carry it. */
        List<Fact> snapshot() {
            List<Fact> facts = new ArrayList<>();
            attributeVersions.forEach((name, version) -> facts.add(Fact.attribute(name, version, attributeValues.get(name))));
            credentialVersions.forEach((id, version) -> facts.add(Fact.credential(id, version, credentialValues.get(id))));
            return facts;
        }

        private Envelope envelope(EventType type) {
            return new Envelope("e" + (++sequence), "test://authority", type, "subject-1", null);
        }
    }

    @Property(tries = 200)
    void aDuplicateNeverAppliesTwice(@ForAll("histories") List<Op> history) {
        Authority authority = new Authority();
        Ledger ledger = Ledger.empty();
        for (Op op : history) {
            StreamEvent event = authority.perform(op);
            SubjectApply.Result first = SubjectApply.apply(ledger, event);
            SubjectApply.Result again = SubjectApply.apply(ledger, event);
            assertThat(first.outcome()).isIn(Outcome.APPLIED);
            assertThat(again.outcome()).isEqualTo(Outcome.STALE);
            assertThat(again.changes()).isEmpty();
        }
    }

    static JsonNodeFactory json() {
        return JsonNodeFactory.instance;
    }
}
