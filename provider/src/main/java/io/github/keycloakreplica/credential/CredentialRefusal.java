package io.github.keycloakreplica.credential;

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
    public static final String UPSTREAM_REFUSED = "replica_upstream_refused";
    public static final String UNCONFIRMED = "replica_change_unconfirmed";
    public static final String ORDER_UPSTREAM = "replica_credential_order_upstream";

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
            return Optional.of(managedUpstream(username, upstream));
        }
        return Optional.empty();
    }

    /** No write path: a change can only be made at the authority. */
    public static CredentialRefusal managedUpstream(String username, String upstream) {
        return new CredentialRefusal(MANAGED_UPSTREAM, "replicaCredentialsManagedUpstream", List.of(username, upstream),
                "Sign-in methods of " + username + " are managed at " + upstream + ". Change them there: the change reaches "
                        + "this site through the credential stream.");
    }

    /** The authority answered the write path and said no; {@code reason} is its own words. */
    public static CredentialRefusal refusedUpstream(String username, String upstream, String reason) {
        return new CredentialRefusal(UPSTREAM_REFUSED, "replicaUpstreamRefused", List.of(username, upstream, reason),
                "The change of sign-in methods of " + username + " was not accepted by " + upstream + ": " + reason);
    }

    /** The write path gave no confirmation (unreachable, too slow, an answer that cannot be trusted): nothing changed. */
    public static CredentialRefusal unconfirmed(String username, String upstream, String why) {
        return new CredentialRefusal(UNCONFIRMED, "replicaChangeUnconfirmed", List.of(username, upstream, why),
                "The change of sign-in methods of " + username + " was not confirmed by " + upstream + " (" + why
                        + "), so this site did not make it. If " + upstream + " made it after all, it arrives here through the "
                        + "credential stream; otherwise try again in a few minutes.");
    }

    /** Reordering: the stream carries no order of credentials, so the authority could not confirm one. */
    public static CredentialRefusal orderUpstream(String username, String upstream) {
        return new CredentialRefusal(ORDER_UPSTREAM, "replicaCredentialOrderUpstream", List.of(username, upstream),
                "The order of the sign-in methods of " + username + " is kept by " + upstream + " and cannot be changed at this site.");
    }

    /** The HTTP status the admin and account REST APIs answer with. */
    public int httpStatus() {
        return switch (error) {
            case UPSTREAM_REFUSED -> 400;
            case UNCONFIRMED -> 503;
            default -> 409;
        };
    }
}
