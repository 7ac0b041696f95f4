package io.github.keycloakreplica.stream;

import java.util.Objects;

/**
 * The CloudEvents 1.0 attributes every stream event carries.
 *
 * @param id      globally unique; the idempotency key
 * @param source  the authority that produced the event, as a URI reference
 * @param type    one of {@link EventType}
 * @param subject the upstream subject id; also the Kafka record key
 * @param time    for people reading logs only, never used for ordering; may be null
 */
public record Envelope(String id, String source, EventType type, String subject, String time) {

    public static final String SPEC_VERSION = "1.0";

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
    }
}
