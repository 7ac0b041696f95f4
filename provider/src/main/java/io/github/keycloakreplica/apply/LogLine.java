package io.github.keycloakreplica.apply;

import io.github.keycloakreplica.protocol.Outcome;

/** One line for a subject's event log, written once the subject's row exists. */
record LogLine(String eventId, String type, String versions, Outcome outcome, String detail, String origin) {

    /** A line for a delta event (not a repair from a snapshot): its id is one a redelivery would carry. */
    boolean fromStream() {
        return eventId != null && origin != null;
    }
}
