package io.github.keycloakreplica.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

/** Keycloak on a {@link LocalPostgres}; skipped where the PostgreSQL server binaries are not installed. */
class LocalPostgresIT {

    @Test
    void keycloakRunsOnLocalPostgres() throws Exception {
        assumeTrue(LocalPostgres.binaries().isPresent(), "PostgreSQL server binaries not installed");
        try (Stack stack = Stack.builder().postgres().keycloak(KeycloakServerSpec.builder("on-postgres").build()).start()) {
            KeycloakServer keycloak = stack.keycloak("on-postgres");
            assertThat(LogTail.tail(keycloak.logFile(), 10_000)).contains("jdbc-postgresql");
            int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    keycloak.baseUrl().resolve("/realms/master/.well-known/openid-configuration")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).isEqualTo(200);

            // The database outlives a restart of the server process.
            stack.postgres().stop();
            stack.postgres().start();
            keycloak.kill();
            keycloak.start();
        }
    }
}
