package io.github.keycloakreplica.config;

import io.github.keycloakreplica.stream.LogSafe;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where and how a replica reaches its authority's credential write path. Passwords travel there, so the
 * URL must be https (plain http only to this machine, for tests and sidecars) and the replica always
 * authenticates as a client, with the client id and secret: never with credentials in the URL, which is
 * shown to whoever may view users.
 *
 * @param url      the endpoint requests are POSTed to
 * @param clientId the client the replica authenticates as (HTTP Basic)
 * @param secret   the client's secret; never in {@link #toString()}
 * @param timeout  how long a request may take before the change is refused as unconfirmed
 */
public record WritePathSettings(URI url, String clientId, String secret, Duration timeout) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    /**
     * @return null when no URL is given: the component has no write path
     * @throws IllegalArgumentException with a message for the administrator when the settings cannot work
     */
    public static WritePathSettings parse(String url, String clientId, String secret, String timeoutSeconds) {
        if (url == null || url.isBlank()) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        URI uri = null;
        try {
            uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (uri.getRawUserInfo() != null || hasUserInfo(url)) {
                // Not echoed: the URL holds a password.
                problems.add("Write path URL must not carry a user name or password (user:password@): the site authenticates "
                        + "with the write path client id and secret, and the URL is shown to whoever may view users.");
            } else if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
                // Echoed only when nothing in it can be a password.
                problems.add("Write path URL must be an absolute https URL" + (url.contains("@") ? "."
                        : ", was '" + LogSafe.escape(url.trim(), 200) + "'."));
            } else if (scheme.equals("http") && !LOOPBACK.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
                problems.add("Write path URL must use https: passwords travel over it (plain http is accepted for this machine only).");
            }
            if (uri.getRawFragment() != null) {
                problems.add("Write path URL must not have a fragment (#…): it is never sent to the authority, so it cannot be "
                        + "what the URL means.");
            }
        } catch (URISyntaxException e) {
            problems.add("Write path URL is not a URL: " + e.getReason() + ".");
        }
        if (clientId == null || clientId.isBlank()) {
            problems.add("Write path client id is required with a write path URL: the authority must know which site asks.");
        }
        if (secret == null || secret.isBlank()) {
            problems.add("Write path client secret is required with a write path URL.");
        }
        Duration timeout = DEFAULT_TIMEOUT;
        if (timeoutSeconds != null && !timeoutSeconds.isBlank()) {
            try {
                long seconds = Long.parseLong(timeoutSeconds.trim());
                if (seconds < 1 || seconds > 60) {
                    problems.add("Write path timeout must be between 1 and 60 seconds, was " + seconds + ".");
                }
                timeout = Duration.ofSeconds(seconds);
            } catch (NumberFormatException e) {
                problems.add("Write path timeout must be a whole number of seconds, was '" + timeoutSeconds.trim() + "'.");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join(" ", problems));
        }
        return new WritePathSettings(uri, clientId.trim(), secret, timeout);
    }

    /**
     * An '@' before the path, also where {@link URI} gives up on the authority ("https://user:p@ss@host/"
     * parses with no host and no user info, but still holds a password).
     */
    private static boolean hasUserInfo(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return false;
        }
        int start = scheme + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        return url.substring(start, end).indexOf('@') >= 0;
    }

    @Override
    public String toString() {
        return "WritePathSettings[url=" + url + ", clientId=" + clientId + ", secret=<hidden>, timeout=" + timeout + "]";
    }
}
