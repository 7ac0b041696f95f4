package io.github.keycloakreplica.kafka;

import io.github.keycloakreplica.link.LinkMonitor;
import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * What one node's log says about its component's link. A cut link is what the product exists for, and the
 * operator reading the log then needs one clear line, not the Kafka client's reconnect attempts: so a line
 * whenever this node finds the link in another state than it last said, naming the upstream and what the
 * state means for sign-ins and credential changes, and a one-line reminder every {@link #REMINDER} while
 * the link is not CONNECTED. The link record is shared by the nodes of a site and only the node that takes
 * a look at the right moment makes a change; every node says what it finds, so each node's log tells the
 * site's link state.
 */
final class LinkLog {

    static final Duration REMINDER = Duration.ofMinutes(5);

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** A line to log, at its level. */
    record Line(Logger.Level level, String text) {
    }

    private final String name;
    private final String upstream;
    private final String bootstrapServers;
    private final Duration stabilizationWindow;
    private LinkState said;
    private long saidAt;

    /**
     * @param name                the component, as the replica's lines name it
     * @param upstream            the upstream's name, as the component's settings give it
     * @param bootstrapServers    the brokers the component connects to: Kafka's own lines, which name them, are kept quiet
     * @param stabilizationWindow how long a returning link must stay healthy before it is CONNECTED
     */
    LinkLog(String name, String upstream, String bootstrapServers, Duration stabilizationWindow) {
        this.name = name;
        this.upstream = upstream;
        this.bootstrapServers = bootstrapServers;
        this.stabilizationWindow = stabilizationWindow;
    }

    /**
     * After a look at the link.
     *
     * @param record     the link record as stored after the look
     * @param transition the change this node's look made, or null (no change, or another node made it)
     * @return the line to log now, if any
     */
    Optional<Line> looked(LinkRecord record, LinkMonitor.Decision transition, long now) {
        LinkState state = record.state();
        if (transition != null || state != said) {
            String change = transition != null
                    ? (transition.previous() == null ? "(new)" : transition.previous().name()) + " -> " + state
                    : said == null ? state + " since " + SINCE.format(Instant.ofEpochMilli(record.since()))
                    : said + " -> " + state;
            said = state;
            saidAt = now;
            return Optional.of(new Line(level(state), name + ": link " + change + ": " + record.cause() + ". " + meaning(state)));
        }
        if (state != LinkState.CONNECTED && now - saidAt >= REMINDER.toMillis()) {
            saidAt = now;
            return Optional.of(new Line(level(state), name + ": link still " + state + ", since "
                    + SINCE.format(Instant.ofEpochMilli(record.since())) + " (" + Durations.words(Duration.ofMillis(now - record.since()))
                    + "): " + record.cause() + "; " + (state == LinkState.SEVERED
                    ? "people sign in from what this site holds, and sign-in methods cannot be changed here"
                    : "sign-in methods cannot be changed here until it is CONNECTED")));
        }
        return Optional.empty();
    }

    private static Logger.Level level(LinkState state) {
        return state == LinkState.SEVERED ? Logger.Level.WARN : Logger.Level.INFO;
    }

    private String meaning(LinkState state) {
        return switch (state) {
            case SEVERED -> "The link to " + upstream + " (Kafka at " + bootstrapServers + ") is down: people sign in here from what "
                    + "this site holds; passwords and other sign-in methods cannot be changed here, and nothing " + upstream
                    + " changes (deprovisioning included) reaches this site, until the link is back";
            case RECOVERING -> "The link to " + upstream + " answers: sign-in methods still cannot be changed here until it "
                    + "has stayed healthy for the stabilization window (" + Durations.words(stabilizationWindow)
                    + ") and this site has applied what " + upstream + " published meanwhile";
            case CONNECTED -> "Connected to " + upstream + ": this site is current, and changes of sign-in methods go to "
                    + upstream + " again where the component has its write path";
        };
    }
}
