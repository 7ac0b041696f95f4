package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class LocalPostgresTest {

    @Test
    void aDirectoryUnderOneClosedToOthersIsNotReachableByThePostgresUser(@TempDir Path temp) throws Exception {
        Path open = Files.createDirectories(temp.resolve("open"));
        Path closed = Files.createDirectories(temp.resolve("closed"));
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));

        assertThat(LocalPostgres.othersMayEnter(open.resolve("target/stack/postgres"))).isTrue();
        assertThat(LocalPostgres.othersMayEnter(closed.resolve("target/stack/postgres"))).isFalse();
    }
}
