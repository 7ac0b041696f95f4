package io.github.keycloakreplica.replica;

import io.github.keycloakreplica.link.LinkRecord;
import io.github.keycloakreplica.link.LinkState;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a credential change of a replicated person may go ahead here, and if not, what to tell them.
 * The replica never stores a credential the upstream has not confirmed: while the link is not
 * CONNECTED every change is refused, and while it is, a change needs an authoritative write path.
 *
 * @param error       the machine-readable reason (admin REST {@code error}, event error)
 * @param messageKey  the {@code replica} theme's message for people
 * @param parameters  the message's parameters, in order
 * @param text        the same message in English, for the admin REST API and logs
 */
public record CredentialRefusal(String error, String messageKey, List<String> parameters, String text) {

    public static final String LINK_DOWN = "replica_link_down";
    public static final String MANAGED_UPSTREAM = "replica_credentials_managed_upstream";

    private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** A moment as people at a site read it in these messages: "2026-11-23 10:42 UTC". */
    public static String since(long epochMillis) {
        return SINCE.format(Instant.ofEpochMilli(epochMillis));
    }

    /**
     * @param link               the component's link, or null when it was never looked at (counts as severed)
     * @param writePathConfigured whether an authoritative write path is configured
     */
    public static Optional<CredentialRefusal> of(LinkRecord link, boolean writePathConfigured, String username, String upstream) {
        if (link == null || !link.state().allowsCredentialWrites()) {
            String since = link == null ? "startup" : since(link.since());
            boolean recovering = link != null && link.state() == LinkState.RECOVERING;
            String key = recovering ? "replicaCredentialsRecovering" : "replicaCredentialsSevered";
            String text = recovering
                    ? "Sign-in methods of " + username + " cannot be changed at this site yet: the link to " + upstream
                    + " is back since " + since + " and this site is still catching up. A change must be confirmed by " + upstream
                    + ". Try again in a few minutes."
                    : "Sign-in methods of " + username + " cannot be changed at this site right now: its link to " + upstream
                    + " is down (since " + since + ") and a change must be confirmed by " + upstream
                    + ". Sign in with what you have; try again once the link is back.";
            return Optional.of(new CredentialRefusal(LINK_DOWN, key, List.of(username, upstream, since), text));
        }
        if (!writePathConfigured) {
            return Optional.of(new CredentialRefusal(MANAGED_UPSTREAM, "replicaCredentialsManagedUpstream", List.of(username, upstream),
                    "Sign-in methods of " + username + " are managed at " + upstream + ". Change them there: the change reaches "
                            + "this site through the credential stream."));
        }
        return Optional.empty();
    }
}
