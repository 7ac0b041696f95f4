package io.github.keycloakreplica.apply;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether a component's apply engine is stalled, and on what: the infrastructure failed (the database
 * went away, a lock timed out) and the engine waits it out, retrying from the stored position, with
 * nothing dead-lettered and nothing skipped. A stall is not an error of the stream; it is what an
 * operator must see at once, because while it lasts nothing the upstream says (deprovisioning included)
 * reaches this site. Held in memory by the node that consumes, because the database may be what is down.
 */
public final class ApplyStall {

    /**
     * One stall: since when, at which record (topic#partition@offset, or the work that was under way,
     * such as a gap repair), and the failure, named by type and in words safe to show.
     */
    public record Stalled(Instant since, String at, String cause, int attempts) {

        public Duration lasting(Instant now) {
            return Duration.between(since, now);
        }

        @Override
        public String toString() {
            return "apply stalled since " + since + " at " + at + ": " + cause;
        }
    }

    private final AtomicReference<Stalled> current = new AtomicReference<>();

    /**
     * A transient failure happened.
     *
     * @return the stall, with {@code attempts() == 1} when this failure began it
     */
    public Stalled failed(String at, String cause, Instant now) {
        return current.updateAndGet(s -> s == null
                ? new Stalled(now, at, cause, 1)
                : new Stalled(s.since(), at, cause, s.attempts() + 1));
    }

    /** Work went through again; returns the stall that ended, if there was one. */
    public Optional<Stalled> recovered() {
        return Optional.ofNullable(current.getAndSet(null));
    }

    public Optional<Stalled> current() {
        return Optional.ofNullable(current.get());
    }

    /** Seconds the current stall has lasted, 0 when there is none: for the stall gauge. */
    public double seconds(Instant now) {
        Stalled s = current.get();
        return s == null ? 0 : s.lasting(now).toMillis() / 1000.0;
    }
}
