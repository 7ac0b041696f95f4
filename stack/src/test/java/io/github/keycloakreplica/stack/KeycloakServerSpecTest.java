package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeycloakServerSpecTest {

    @Test
    void defaultsToStartDevOnH2WithHealthAndMetrics() {
        KeycloakServerSpec spec = KeycloakServerSpec.builder("primary").build();
        assertThat(spec.database().vendor()).isEqualTo("dev-file");
        assertThat(spec.adminUsername()).isEqualTo("admin");
        assertThat(spec.arguments(8080, 9000)).containsExactly("start-dev", "--import-realm",
                "--http-host=127.0.0.1", "--http-port=8080", "--http-management-port=9000",
                "--health-enabled=true", "--metrics-enabled=true", "--db-url-properties=;WRITE_DELAY=0");
    }

    @Test
    void addsDatabaseAndExtraOptionsAfterTheStacksOwn() {
        KeycloakServerSpec spec = KeycloakServerSpec.builder("replica-1")
                .database(Database.postgres("jdbc:postgresql://127.0.0.1:5432/kc", "kc", "secret"))
                .option("--log-level", "INFO,org.keycloak.events:DEBUG")
                .option("spi-events-listener--replica--enabled", "true")
                .build();
        assertThat(spec.arguments(1, 2)).endsWith("--db=postgres", "--db-url=jdbc:postgresql://127.0.0.1:5432/kc",
                "--db-username=kc", "--db-password=secret", "--log-level=INFO,org.keycloak.events:DEBUG",
                "--spi-events-listener--replica--enabled=true");
        assertThat(spec.toString()).doesNotContain("secret");
    }

    @Test
    void refusesWhatTheStackControls() {
        KeycloakServerSpec.Builder builder = KeycloakServerSpec.builder("a");
        assertThatThrownBy(() -> builder.option("http-port", "1")).hasMessageContaining("set by the stack");
        assertThatThrownBy(() -> builder.option("--db", "postgres")).hasMessageContaining("database(");
        assertThatThrownBy(() -> builder.option("Not An Option", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeycloakServerSpec.builder("../escape")).hasMessageContaining("names a directory");
        assertThatThrownBy(() -> KeycloakServerSpec.builder("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void copiesAreIndependent(@TempDir Path dir) throws IOException {
        Path realm = Files.writeString(dir.resolve("acme.json"), "{}");
        KeycloakServerSpec spec = KeycloakServerSpec.builder("a").realmImport(realm).env("X", "1").build();
        KeycloakServerSpec copy = spec.withEnv("Y", "2");
        assertThat(spec.env()).containsOnlyKeys("X");
        assertThat(copy.env()).containsOnlyKeys("X", "Y");
        assertThat(copy.realmImports()).containsExactly(realm.toAbsolutePath());
        assertThatThrownBy(() -> KeycloakServerSpec.builder("a").realmImport(dir.resolve("missing.json")))
                .hasMessageContaining("No realm file");
    }

    @Test
    void providersAndDistributionCanBeChosen(@TempDir Path dir) {
        KeycloakServerSpec spec = KeycloakServerSpec.builder("a").providersDir(dir).distZip(dir.resolve("kc.zip")).build();
        assertThat(spec.providersDir()).isEqualTo(dir);
        assertThat(spec.distZip()).isEqualTo(dir.resolve("kc.zip"));
    }
}
