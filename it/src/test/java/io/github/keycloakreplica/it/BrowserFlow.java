package io.github.keycloakreplica.it;

import io.github.keycloakreplica.stack.KeycloakHttp;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;

import java.io.IOException;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Keycloak's browser flow driven over HTTP as a browser would drive it: follow the authorization
 * redirect, fill in the login page's forms with their cookies, stop at the client's redirect URI and
 * exchange the code (with PKCE) for tokens.
 */
final class BrowserFlow {

    static final String REDIRECT_URI = "http://127.0.0.1/callback";

    private final URI baseUrl;
    private final String realm;
    private final String clientId;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String verifier;
    /**
     * Keycloak marks its login cookies Secure even on http://127.0.0.1 (browsers treat loopback as a
     * secure context); java.net's CookieManager would never send them back over http, so this jar does.
     */
    private final Map<String, String> cookies = new LinkedHashMap<>();
    private HttpResponse<String> current;

    BrowserFlow(URI baseUrl, String realm, String clientId) {
        this.baseUrl = baseUrl;
        this.realm = realm;
        this.clientId = clientId;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** Opens the authorization endpoint and follows redirects to the first page. */
    Document start() {
        return start("");
    }

    /** The same, with more query parameters for the authorization endpoint (as {@code &kc_action=CONFIGURE_TOTP}). */
    Document start(String moreQuery) {
        String challenge = challengeOf(verifier);
        String url = baseUrl + "/realms/" + realm + "/protocol/openid-connect/auth?client_id=" + clientId
                + "&response_type=code&scope=openid&state=st&nonce=n&code_challenge_method=S256&code_challenge=" + challenge
                + "&redirect_uri=" + URLEncoder.encode(REDIRECT_URI, StandardCharsets.UTF_8) + moreQuery;
        return follow(get(url));
    }

    /** The PKCE S256 code challenge of a code verifier (RFC 7636). */
    static String challengeOf(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Submits the page's form with these field values and follows redirects. */
    Document submit(Document page, String formSelector, Map<String, String> fields) {
        Element form = page.selectFirst(formSelector);
        if (form == null) {
            throw new AssertionError("no form " + formSelector + " on page:\n" + page.body().text());
        }
        Map<String, String> values = new LinkedHashMap<>();
        form.select("input[type=hidden]").forEach(input -> values.put(input.attr("name"), input.attr("value")));
        values.putAll(fields);
        String body = values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return follow(send(HttpRequest.newBuilder(URI.create(form.absUrl("action")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))));
    }

    /** The authorization code, once the flow redirected to the client; null while still on Keycloak's pages. */
    String code() {
        String location = current.headers().firstValue("Location").orElse("");
        if (!location.startsWith(REDIRECT_URI)) {
            return null;
        }
        for (String parameter : URI.create(location).getRawQuery().split("&")) {
            if (parameter.startsWith("code=")) {
                return URLDecoder.decode(parameter.substring(5), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("redirected without a code: " + location);
    }

    KeycloakHttp.Response exchange(KeycloakHttp keycloak, String code) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("client_id", clientId);
        form.put("code", code);
        form.put("redirect_uri", REDIRECT_URI);
        form.put("code_verifier", verifier);
        return keycloak.postForm(baseUrl + "/realms/" + realm + "/protocol/openid-connect/token", form);
    }

    private Document follow(HttpResponse<String> response) {
        current = response;
        int hops = 0;
        while (current.statusCode() / 100 == 3) {
            String location = current.headers().firstValue("Location").orElseThrow();
            if (location.startsWith(REDIRECT_URI)) {
                return null;
            }
            if (++hops > 10) {
                throw new AssertionError("too many redirects, last to " + location);
            }
            current = get(current.uri().resolve(location).toString());
        }
        return Jsoup.parse(current.body(), current.uri().toString());
    }

    private HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder builder) {
        if (!cookies.isEmpty()) {
            builder.header("Cookie", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
        }
        HttpRequest request = builder.build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            for (String header : response.headers().allValues("Set-Cookie")) {
                HttpCookie.parse(header).forEach(cookie -> {
                    if (cookie.getMaxAge() == 0) {
                        cookies.remove(cookie.getName());
                    } else {
                        cookies.put(cookie.getName(), cookie.getValue());
                    }
                });
            }
            return response;
        } catch (IOException e) {
            throw new AssertionError("request " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
