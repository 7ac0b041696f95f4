package io.github.keycloakreplica.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** Talks to a Keycloak over HTTP as any client would: OIDC endpoints and the admin REST API. For tests, the demo and benchmarks. */
public final class KeycloakHttp {

    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUrl;
    private final String adminUsername;
    private final String adminPassword;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private String adminToken;
    private long adminTokenRenewAt;

    public record Response(int status, String body) {

        public JsonNode json() {
            try {
                return body == null || body.isBlank() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    public KeycloakHttp(URI baseUrl, String adminUsername, String adminPassword) {
        this.baseUrl = baseUrl;
        this.adminUsername = adminUsername;
        this.adminPassword = adminPassword;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The token endpoint's answer to a password grant: 200 with tokens, or an OAuth error. */
    public Response passwordGrant(String realm, String clientId, String clientSecret, String username, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        if (clientSecret != null) {
            form.put("client_secret", clientSecret);
        }
        form.put("username", username);
        form.put("password", password);
        form.put("scope", "openid");
        return postForm(baseUrl + "/realms/" + realm + "/protocol/openid-connect/token", form);
    }

    public Response postForm(String url, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The master realm admin's access token, reused until shortly before it expires. */
    public synchronized String adminToken() {
        if (adminToken == null || System.currentTimeMillis() > adminTokenRenewAt) {
            Response r = passwordGrant("master", "admin-cli", null, adminUsername, adminPassword);
            if (r.status() != 200) {
                throw new IllegalStateException("admin login failed: " + r);
            }
            adminToken = r.json().get("access_token").asText();
            adminTokenRenewAt = System.currentTimeMillis() + Math.max(0, r.json().path("expires_in").asLong(60) - 15) * 1000;
        }
        return adminToken;
    }

    public Response admin(String method, String path, Object body) {
        return withToken(adminToken(), method, "/admin/realms/" + path, body);
    }

    /** An admin call with a plain-text body (the credential label endpoint takes one). */
    public Response adminText(String method, String path, String text) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/admin/realms/" + path))
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + adminToken())
                .header("Content-Type", "text/plain")
                .method(method, HttpRequest.BodyPublishers.ofString(text));
        return send(request);
    }

    public Response withToken(String token, String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Accept", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            try {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body)));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return send(request);
    }

    private Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException("request to " + baseUrl + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The claims of a JWT, read without checking its signature (the issuer is the server under test). */
    public static JsonNode claims(String jwt) {
        String[] parts = jwt.split("\\.");
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException e) {
            throw new IllegalStateException("not a JWT: " + jwt, e);
        }
    }
}
