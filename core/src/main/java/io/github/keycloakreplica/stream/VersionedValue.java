package io.github.keycloakreplica.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One attribute's value at one version. The value is kept as JSON because the schema, not Java,
 * says which shape each attribute has (string, boolean, list of strings, or null for "absent").
 */
public record VersionedValue(JsonNode value, long version) {

    public VersionedValue {
        value = value == null ? NullNode.getInstance() : value;
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive, was " + version);
        }
    }

    public boolean isAbsent() {
        return value.isNull() || value.isMissingNode();
    }

    public String asText() {
        return isAbsent() ? null : value.asText();
    }

    public boolean asBoolean() {
        return value.asBoolean();
    }

    /** A string becomes a one-element list, null an empty one, so every attribute reads as a list. */
    public List<String> asList() {
        List<String> values = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(v -> values.add(v.asText()));
        } else if (!isAbsent()) {
            values.add(value.asText());
        }
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionedValue other && version == other.version && Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, version);
    }
}
