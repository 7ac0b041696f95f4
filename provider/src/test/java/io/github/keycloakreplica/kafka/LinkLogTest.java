package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.link.LinkMonitor;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LinkLogTest {

    private static final long T0 = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();
    private static final String NAME = "replica 'hq' of realm 'acme'";
    private static final String UNREACHABLE = "the Kafka broker is unreachable";

    private final LinkLog log = new LinkLog(NAME, "the HQ Keycloak", "kafka-1:9093", Duration.ofSeconds(30));

    @Test
    void aCutIsOneWarningThatNamesTheUpstreamAndWhatItMeansThenAReminderEveryFiveMinutes() {
        log.looked(record(LinkState.CONNECTED, T0 - 60_000, "caught up"), null, T0);
        LinkRecord severed = record(LinkState.SEVERED, T0, UNREACHABLE);
        List<LinkLog.Line> lines = new ArrayList<>();

        log.looked(severed, decision(LinkState.CONNECTED, severed), T0).ifPresent(lines::add);
        // Twice a second for twelve minutes, as the watcher looks.
        for (long at = T0 + 500; at < T0 + Duration.ofMinutes(12).toMillis(); at += 500) {
            log.looked(severed, null, at).ifPresent(lines::add);
        }

        assertThat(lines).hasSize(3).allMatch(l -> l.level() == Logger.Level.WARN);
        assertThat(lines.get(0).text()).isEqualTo(NAME + ": link CONNECTED -> SEVERED: " + UNREACHABLE + ". The link to the HQ Keycloak "
                + "(Kafka at kafka-1:9093) is down: people sign in here from what this site holds; passwords and other sign-in methods "
                + "cannot be changed here, and nothing the HQ Keycloak changes (deprovisioning included) reaches this site, until the "
                + "link is back");
        assertThat(lines.get(1).text()).isEqualTo(NAME + ": link still SEVERED, since 2026-12-07 10:00:00 UTC (5 min): " + UNREACHABLE
                + "; people sign in from what this site holds, and sign-in methods cannot be changed here");
        assertThat(lines.get(2).text()).contains("(10 min)");
    }

    @Test
    void aChangeAnotherNodeMadeIsSaidByThisNodeToo() {
        log.looked(record(LinkState.SEVERED, T0, UNREACHABLE), null, T0);

        Optional<LinkLog.Line> line = log.looked(record(LinkState.RECOVERING, T0 + 9_000, "heartbeats are fresh again"), null, T0 + 9_500);

        assertThat(line).hasValueSatisfying(l -> {
            assertThat(l.level()).isEqualTo(Logger.Level.INFO);
            assertThat(l.text()).startsWith(NAME + ": link SEVERED -> RECOVERING: heartbeats are fresh again. The link to the HQ Keycloak "
                    + "answers: sign-in methods still cannot be changed here until it has stayed healthy for the stabilization "
                    + "window (30 s)");
        });
        assertThat(log.looked(record(LinkState.RECOVERING, T0 + 9_000, "heartbeats are fresh again"), null, T0 + 10_000)).isEmpty();
    }

    @Test
    void aNodeThatStartsSaysTheStateItFindsOnceAndNothingMoreWhileConnected() {
        LinkRecord connected = record(LinkState.CONNECTED, T0 - 3_600_000, "caught up");

        assertThat(log.looked(connected, null, T0)).hasValueSatisfying(l -> assertThat(l.text())
                .startsWith(NAME + ": link CONNECTED since 2026-12-07 09:00:00 UTC: caught up. Connected to the HQ Keycloak"));
        for (long at = T0; at < T0 + Duration.ofHours(1).toMillis(); at += 500) {
            assertThat(log.looked(connected, null, at)).isEmpty();
        }
    }

    @Test
    void aNewComponentSaysItsFirstState() {
        LinkRecord recovering = record(LinkState.RECOVERING, T0, "replica started: heartbeats are fresh; catching up");

        assertThat(log.looked(recovering, new LinkMonitor.Decision(null, null, recovering.cause()), T0))
                .hasValueSatisfying(l -> assertThat(l.text()).startsWith(NAME + ": link (new) -> RECOVERING: replica started"));
    }

    private static LinkRecord record(LinkState state, long since, String cause) {
        return new LinkRecord(state, since, cause, null, null, null, null, null, T0 - 86_400_000, false);
    }

    private static LinkMonitor.Decision decision(LinkState previous, LinkRecord now) {
        return new LinkMonitor.Decision(new LinkMonitor.Status(now.state(), now.since(), now.healthySince()), previous, now.cause());
    }
}
