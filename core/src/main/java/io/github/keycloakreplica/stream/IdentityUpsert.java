package io.github.keycloakreplica.stream;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@code replica.identity.upserted}: some or all attributes of a subject, each at its own version. */
public record IdentityUpsert(Envelope envelope, Map<String, VersionedValue> attributes) implements StreamEvent {

    public IdentityUpsert {
        Objects.requireNonNull(envelope, "envelope");
        // Sorted so that applying an event is deterministic and logs read the same on every node.
        attributes = Collections.unmodifiableMap(new TreeMap<>(attributes));
    }
}
