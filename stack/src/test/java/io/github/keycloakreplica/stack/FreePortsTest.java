package io.github.keycloakreplica.stack;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class FreePortsTest {

    @Test
    void handsOutDistinctBindablePortsBelowTheEphemeralRange() throws IOException {
        int ephemeralStart = FreePorts.ephemeralRangeStart(Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            assertThat(port).isBetween(FreePorts.LOWEST, ephemeralStart - 1);
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(FreePorts.LOOPBACK, port));
            }
        }
    }

    @Test
    void aBoundPortIsNotFree() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, FreePorts.LOOPBACK)) {
            assertThat(FreePorts.isFree(socket.getLocalPort())).isFalse();
        }
    }

    @Test
    void readsTheEphemeralRangeAndFallsBackWhenUnknown(@TempDir Path dir) throws IOException {
        Path range = Files.writeString(dir.resolve("range"), "40000\t60999\n");
        assertThat(FreePorts.ephemeralRangeStart(range)).isEqualTo(40000);
        assertThat(FreePorts.ephemeralRangeStart(dir.resolve("missing"))).isEqualTo(32768);
        // A range starting too low would leave no room below it.
        Files.writeString(range, "1024 65535\n");
        assertThat(FreePorts.ephemeralRangeStart(range)).isGreaterThan(FreePorts.LOWEST);
    }
}
