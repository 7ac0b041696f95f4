package io.github.keycloakreplica.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventLogLineTest {

    @Test
    void aNoteHasNoEventVersionsOrOrigin() {
        EventLogLine line = EventLogLine.note("orphan", "DISABLED", "no snapshot record");

        assertThat(line).isEqualTo(new EventLogLine(null, "orphan", null, "DISABLED", "no snapshot record", null));
    }

    @Test
    void fromSetsOnlyTheOrigin() {
        EventLogLine line = new EventLogLine("e1", "identity.upsert", "username=3", "APPLIED", "detail", null).from("login");

        assertThat(line).isEqualTo(new EventLogLine("e1", "identity.upsert", "username=3", "APPLIED", "detail", "login"));
    }
}
