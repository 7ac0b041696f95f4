package io.github.keycloakreplica.stream;

import java.util.Arrays;
import java.util.Optional;

/** The CloudEvents {@code type} values of the stream contract, one JSON Schema each under {@code schema/}. */
public enum EventType {

    IDENTITY_UPSERTED("replica.identity.upserted"),
    IDENTITY_DELETED("replica.identity.deleted"),
    CREDENTIAL_UPSERTED("replica.credential.upserted"),
    CREDENTIAL_REVOKED("replica.credential.revoked"),
    IDENTITY_SNAPSHOT("replica.identity.snapshot"),
    CREDENTIALS_SNAPSHOT("replica.credentials.snapshot"),
    HEARTBEAT("replica.heartbeat");

    private final String value;

    EventType(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** Full-state records of the compacted snapshot topics, as opposed to the deltas. */
    public boolean isSnapshot() {
        return this == IDENTITY_SNAPSHOT || this == CREDENTIALS_SNAPSHOT;
    }

    /** Classpath location of the schema that is authoritative for this type. */
    public String schemaResource() {
        return "schema/" + value + ".schema.json";
    }

    public static Optional<EventType> of(String value) {
        return Arrays.stream(values()).filter(t -> t.value.equals(value)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }
}
