package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JavaHomesTest {

    @TempDir
    Path jvms;

    @Test
    void readsTheFeatureVersionFromTheReleaseFile() throws IOException {
        assertThat(JavaHomes.featureVersion(jdk("a", "21.0.5"))).hasValue(21);
        assertThat(JavaHomes.featureVersion(jdk("b", "25"))).hasValue(25);
        assertThat(JavaHomes.featureVersion(jdk("c", "1.8.0_392"))).hasValue(8);
        assertThat(JavaHomes.featureVersion(jvms.resolve("missing"))).isEmpty();
    }

    @Test
    void theRunningJvmWinsWhenItIsNewEnough() throws IOException {
        Path current = jdk("current", "21.0.1");
        assertThat(JavaHomes.resolve(null, current, 21, jdk("env", "25").toString(), jvms, 21)).isEqualTo(current);
    }

    @Test
    void thenJavaHomeThenTheNewestUnderTheScanRoot() throws IOException {
        Path current = jdk("current", "17.0.9");
        Path env = jdk("env", "22");
        jdk("older", "21.0.2");
        Path newest = jdk("newest", "25.0.1");
        assertThat(JavaHomes.resolve(null, current, 17, env.toString(), jvms, 21)).isEqualTo(env);
        assertThat(JavaHomes.resolve("", current, 17, current.toString(), jvms, 21)).isEqualTo(newest);
    }

    @Test
    void anExplicitHomeMustQualify() throws IOException {
        Path old = jdk("old", "17.0.9");
        Path good = jdk("good", "21.0.9");
        assertThat(JavaHomes.resolve(good.toString(), old, 17, null, jvms, 21)).isEqualTo(good);
        assertThatThrownBy(() -> JavaHomes.resolve(old.toString(), good, 21, null, jvms, 21))
                .hasMessageContaining("Java 17").hasMessageContaining("needs Java 21");
    }

    @Test
    void failsWithInstructionsWhenThereIsNone() throws IOException {
        Path current = jdk("current", "17.0.9");
        assertThatThrownBy(() -> JavaHomes.resolve(null, current, 17, null, jvms, 21))
                .isInstanceOf(StackException.class)
                .hasMessageContaining("Keycloak 26.7 needs Java 21 or newer")
                .hasMessageContaining("-D" + JavaHomes.PROPERTY);
    }

    private Path jdk(String name, String version) throws IOException {
        Path home = Files.createDirectories(jvms.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}
