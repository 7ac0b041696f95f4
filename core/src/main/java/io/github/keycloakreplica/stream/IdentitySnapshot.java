package io.github.keycloakreplica.stream;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code replica.identity.snapshot}: the full identity of a subject as the authority holds it now, every
 * attribute it ever versioned with its current version; a removed attribute (and every attribute of a
 * deleted subject) has a null value. The compacted topic keeps the newest per subject.
 */
public record IdentitySnapshot(Envelope envelope, Map<String, VersionedValue> attributes) implements StreamEvent {

    public IdentitySnapshot {
        Objects.requireNonNull(envelope, "envelope");
        attributes = Collections.unmodifiableMap(new TreeMap<>(attributes));
    }
}
