package io.github.keycloakreplica.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface.
 *
 * <p>Ports come from below the kernel's ephemeral range. A server of the stack is stopped and started again
 * on the same port while clients keep reconnecting to it; a port inside the ephemeral range could meanwhile
 * become the local port of an outgoing connection (even a client's connection to itself, TCP simultaneous
 * open), and the restart would then fail or talk to the wrong peer.
 */
public final class FreePorts {

    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    static final int LOWEST = 10_000;
    private static final int ATTEMPTS = 1_000;

    /** Never hand out the same port twice in one JVM, even after its first owner stopped. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port that is free now and that this JVM has not handed out before. */
    public static int next() {
        int highest = ephemeralRangeStart(Path.of("/proc/sys/net/ipv4/ip_local_port_range")) - 1;
        for (int i = 0; i < ATTEMPTS; i++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (isFree(port) && HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new StackException("No free loopback port between " + LOWEST + " and " + highest
                + " after " + ATTEMPTS + " attempts");
    }

    /** Whether a server could bind {@code port} on the loopback interface right now. */
    public static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range ("32768	60999" on Linux); 32768 where unknown. */
    static int ephemeralRangeStart(Path portRangeFile) {
        try {
            String first = Files.readString(portRangeFile).trim().split("\\s+")[0];
            return Math.max(Integer.parseInt(first), LOWEST + 1_000);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }
}
