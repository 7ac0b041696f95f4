package io.github.keycloakreplica.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the replica holds of one subject, per attribute and per credential id: version, presence and (for
 * attributes) value, read from {@link PrimarySite#replicaSubject}. Compares two reads the way the stream
 * contract demands of the publisher: an attribute whose value changed moved by exactly 1, any other did not move.
 */
record ReplicaVersions(Map<String, Fact> attributes, Map<String, Fact> credentials) {

    record Fact(long version, boolean present, JsonNode value) {
    }

    static ReplicaVersions of(JsonNode subject) {
        return new ReplicaVersions(facts(subject.get("attributes")), facts(subject.get("credentials")));
    }

    /**
     * The subject once the replica holds this attribute with this value ({@code null} or an empty list: that the
     * person has none of it).
     */
    static ReplicaVersions await(PrimarySite site, String id, Duration within, String attribute, JsonNode value) {
        JsonNode expected = normal(value);
        return of(site.awaitReplica("the subject " + id + " with " + attribute + "=" + value + " at the replica", within,
                () -> site.replicaSubject(id).orElse(null),
                s -> s != null && expected.equals(valueOf(facts(s.get("attributes")), attribute))));
    }

    /** The current read; the subject must be at the replica. */
    static ReplicaVersions now(PrimarySite site, String id) {
        return of(site.replicaSubject(id).orElseThrow(() -> new AssertionError("no subject " + id + " at the replica")));
    }

    /** The names of the attributes whose presence or value differ between the two reads. */
    Set<String> changedAttributes(ReplicaVersions after) {
        Set<String> changed = new TreeSet<>();
        Set<String> names = new TreeSet<>(attributes.keySet());
        names.addAll(after.attributes.keySet());
        for (String name : names) {
            if (!valueOf(attributes, name).equals(valueOf(after.attributes, name))) {
                changed.add(name);
            }
        }
        return changed;
    }

    /**
     * Every attribute whose value changed between this read and {@code after} moved by exactly 1, every other
     * kept its version, and the changed ones are exactly {@code expected}; credentials: those named in
     * {@code credentialsMoved} moved by exactly 1 (a new one starts at 1), the others did not move.
     */
    void assertMovedByOne(ReplicaVersions after, Set<String> expected, Set<String> credentialsMoved) {
        Set<String> changed = changedAttributes(after);
        assertThat(changed).as("attributes changed at the replica; before " + this + ", after " + after).isEqualTo(new TreeSet<>(expected));
        Set<String> names = new TreeSet<>(attributes.keySet());
        names.addAll(after.attributes.keySet());
        for (String name : names) {
            long from = versionOf(attributes, name);
            long to = versionOf(after.attributes, name);
            assertThat(to).as("version of attribute " + name + " (before " + from + "); after " + after)
                    .isEqualTo(changed.contains(name) ? from + 1 : from);
        }
        Set<String> ids = new TreeSet<>(credentials.keySet());
        ids.addAll(after.credentials.keySet());
        for (String credential : ids) {
            long from = versionOf(credentials, credential);
            long to = versionOf(after.credentials, credential);
            assertThat(to).as("version of credential " + credential + " (before " + from + "); after " + after)
                    .isEqualTo(credentialsMoved.contains(credential) ? from + 1 : from);
        }
    }

    private static Map<String, Fact> facts(JsonNode node) {
        Map<String, Fact> facts = new TreeMap<>();
        if (node != null) {
            node.properties().forEach(e -> facts.put(e.getKey(), new Fact(e.getValue().path("version").asLong(),
                    e.getValue().path("present").asBoolean(), e.getValue().path("value").isMissingNode() ? NullNode.getInstance()
                            : e.getValue().get("value"))));
        }
        return facts;
    }

    /** Absent, removed and an empty list read alike: what a person does not have. */
    private static JsonNode valueOf(Map<String, Fact> facts, String name) {
        Fact fact = facts.get(name);
        return fact == null || !fact.present() ? NullNode.getInstance() : normal(fact.value());
    }

    private static JsonNode normal(JsonNode value) {
        return value == null || value.isNull() || value.isMissingNode() || (value.isArray() && value.isEmpty()) ? NullNode.getInstance()
                : value;
    }

    private static long versionOf(Map<String, Fact> facts, String name) {
        Fact fact = facts.get(name);
        return fact == null ? 0 : fact.version();
    }
}
