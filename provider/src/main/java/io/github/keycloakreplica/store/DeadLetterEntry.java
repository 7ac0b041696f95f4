package io.github.keycloakreplica.store;

/**
 * What a dead letter says about the record it keeps: its key, its event's id and type when the record
 * decoded that far, why it was refused, and its payload with the secrets already taken out.
 *
 * @param redactedPayload never the record's raw value: the caller redacts first (see SecretRedaction)
 */
public record DeadLetterEntry(String recordKey, String eventId, String eventType, String reason, String redactedPayload) {

    /** A record known only by where it was: nothing read from it but the reason it is kept. */
    public static DeadLetterEntry bare(String reason, String redactedPayload) {
        return new DeadLetterEntry(null, null, null, reason, redactedPayload);
    }
}
