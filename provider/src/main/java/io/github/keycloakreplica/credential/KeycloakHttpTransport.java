package io.github.keycloakreplica.credential;

import io.github.keycloakreplica.config.WritePathSettings;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.keycloak.http.simple.SimpleHttp;
import org.keycloak.http.simple.SimpleHttpRequest;
import org.keycloak.http.simple.SimpleHttpResponse;
import org.keycloak.models.KeycloakSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The write path over Keycloak's own HTTP client, so the server's truststore, proxy and connection pool
 * settings apply to it as to identity brokering. Every phase is bounded by the component's timeout: a
 * person waiting on a changed password must get an answer, never a hung page.
 */
public final class KeycloakHttpTransport implements WritePathClient.Transport {

    private final KeycloakSession session;

    public KeycloakHttpTransport(KeycloakSession session) {
        this.session = session;
    }

    @Override
    public WritePathClient.Answer post(WritePathSettings settings, Map<String, String> headers, byte[] body) throws IOException {
        int millis = (int) settings.timeout().toMillis();
        RequestConfig config = RequestConfig.custom()
                .setConnectTimeout(millis)
                .setConnectionRequestTimeout(millis)
                .setSocketTimeout(millis)
                .build();
        SimpleHttpRequest request = SimpleHttp.create(session).withRequestConfig(config).doPost(settings.url().toString())
                .entity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
        headers.forEach(request::header);
        try (SimpleHttpResponse response = request.asResponse()) {
            return new WritePathClient.Answer(response.getStatus(), response.asString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
