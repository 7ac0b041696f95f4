package io.github.keycloakreplica.it;

import io.github.keycloakreplica.stack.JavaHomes;
import io.github.keycloakreplica.stack.StackArtifacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an operator does to install the replica: copy our jars into providers/ and run
 * {@code kc.sh build} for production. Keycloak must accept them as they are.
 */
class KcBuildIT {

    @Test
    void kcShBuildAcceptsTheProviderJars(@TempDir Path dir) throws Exception {
        StackArtifacts artifacts = StackArtifacts.load();
        Path home = unzip(artifacts.keycloakDistZip(), dir);
        try (Stream<Path> jars = Files.list(artifacts.providersDir())) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, home.resolve("providers").resolve(jar.getFileName()));
            }
        }
        Path log = dir.resolve("build.log");
        ProcessBuilder command = new ProcessBuilder(List.of(home.resolve("bin/kc.sh").toString(), "build", "--db=postgres",
                "--health-enabled=true", "--metrics-enabled=true"))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(home.toFile());
        command.environment().keySet().removeIf(name -> name.startsWith("KC_") || name.startsWith("JAVA_OPTS"));
        command.environment().put("JAVA_HOME", JavaHomes.forKeycloak().toString());
        Process build = command.start();
        build.getOutputStream().close();
        boolean finished = build.waitFor(5, TimeUnit.MINUTES);
        String output = Files.readString(log);
        assertThat(finished).as("kc.sh build finished").isTrue();
        assertThat(build.exitValue()).as(output).isZero();
        assertThat(output).contains("Server configuration updated and persisted").doesNotContain("ERROR");
    }

    private static Path unzip(Path zip, Path target) throws IOException {
        Path home = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path out = target.resolve(entry.getName()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (home == null) {
                    home = target.resolve(Path.of(entry.getName()).getName(0));
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    if (entry.getName().endsWith(".sh")) {
                        out.toFile().setExecutable(true);
                    }
                }
            }
        }
        return home;
    }
}
