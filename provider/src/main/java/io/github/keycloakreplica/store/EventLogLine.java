package io.github.keycloakreplica.store;

/**
 * One line of a subject's event log, as people read it on the subject's page: what happened (an event of
 * the stream, a repair, a sign-in on a gap, an orphan disabled), what became of it and where it came from.
 * Named components, so that a line nobody's event brought does not have to be spelled as a row of nulls.
 *
 * @param eventId  the event's id, or null when no event of the stream brought it
 * @param eventType the event's type, or what the line is about ("repair", "sign-in", "orphan")
 * @param versions the versions the event carried, or null
 * @param outcome  what became of it, in capitals ("APPLIED", "ALLOWED", "DISABLED")
 * @param detail   why, for people
 * @param origin   where it came from (a Kafka record, "login"), or null
 */
public record EventLogLine(String eventId, String eventType, String versions, String outcome, String detail, String origin) {

    /** A line no event of the stream brought: no event id, no versions, no origin. */
    public static EventLogLine note(String eventType, String outcome, String detail) {
        return new EventLogLine(null, eventType, null, outcome, detail, null);
    }

    /** The same line, from the given origin. */
    public EventLogLine from(String origin) {
        return new EventLogLine(eventId, eventType, versions, outcome, detail, origin);
    }
}
