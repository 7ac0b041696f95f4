package io.github.keycloakreplica.protocol;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * One versioned fact about a subject: an attribute, or a credential, at one version. The value is the
 * attribute's value or the credential in Keycloak's stored format; null means absent (a removed
 * attribute, a deleted subject's attribute, a revoked credential). Facts are what the apply table
 * orders; events are only the envelopes they travel in.
 */
public record Fact(Kind kind, String name, long version, JsonNode value, Provenance provenance) {

    /** Which event (or snapshot) from which authority a fact came in: kept beside its version. */
    public record Provenance(String eventId, String source) {

        public static final Provenance UNKNOWN = new Provenance(null, null);
    }

    public enum Kind {
        ATTRIBUTE,
        CREDENTIAL
    }

    /** What a version is counted for: one attribute, or one credential id, of one subject. */
    public record Key(Kind kind, String name) {

        public static Key attribute(String name) {
            return new Key(Kind.ATTRIBUTE, name);
        }

        public static Key credential(String id) {
            return new Key(Kind.CREDENTIAL, id);
        }
    }

    public Fact {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        if (version < 1) {
            throw new IllegalArgumentException("version must be positive, was " + version);
        }
        value = value == null || value.isNull() || value.isMissingNode() ? null : value;
        provenance = provenance == null ? Provenance.UNKNOWN : provenance;
    }

    public Fact(Kind kind, String name, long version, JsonNode value) {
        this(kind, name, version, value, Provenance.UNKNOWN);
    }

    public static Fact attribute(String name, long version, JsonNode value) {
        return new Fact(Kind.ATTRIBUTE, name, version, value);
    }

    public static Fact credential(String id, long version, JsonNode credential) {
        return new Fact(Kind.CREDENTIAL, id, version, credential);
    }

    public Fact from(Provenance origin) {
        return new Fact(kind, name, version, value, origin);
    }

    public Key key() {
        return new Key(kind, name);
    }

    public boolean present() {
        return value != null;
    }

    @Override
    public String toString() {
        // A credential's value holds its secret: never in a log line.
        String shown = kind == Kind.CREDENTIAL ? (present() ? "<credential>" : "<revoked>") : String.valueOf(value);
        return kind + " " + name + " v" + version + " = " + shown;
    }
}
