package com.sessionflow.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Ports for servers a test starts later, chosen below the kernel's ephemeral range.
 *
 * <p>Why not {@code new ServerSocket(0)}: that port comes from the ephemeral range, which is also
 * where the kernel takes the local port of every outgoing connection. Between picking a port and
 * the server binding it (seconds, for a JobManager that first waits for ZooKeeper), some client
 * connection can take it, and the server fails with "Could not start rest endpoint on any port"
 * (seen in CI). Outgoing connections never use a port outside the ephemeral range, so a port picked
 * there can only be taken by another listener; ports handed out in this JVM are not handed out
 * again.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    private static final Random RANDOM = new Random();

    private FreePorts() {}

    /** One port, bindable on every interface and on 127.0.0.1 now. */
    public static int next() {
        return range(1);
    }

    /** The first of {@code n} consecutive ports, all bindable now. */
    public static synchronized int range(int n) {
        int highest = ephemeralStart() - n;
        for (int attempt = 0; attempt < 200; attempt++) {
            int start = LOWEST + RANDOM.nextInt(highest - LOWEST);
            boolean free = true;
            for (int p = start; p < start + n && free; p++) {
                free = !HANDED_OUT.contains(p) && bindable(p);
            }
            if (free) {
                for (int p = start; p < start + n; p++) HANDED_OUT.add(p);
                return start;
            }
        }
        throw new IllegalStateException("no " + n + " free ports in a row below " + highest);
    }

    private static boolean bindable(int port) {
        for (InetSocketAddress address :
                new InetSocketAddress[] {
                    new InetSocketAddress(port), new InetSocketAddress(loopback(), port)
                }) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(address);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    // a literal address: nothing is looked up
    @SuppressWarnings("AddressSelection")
    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first port of Linux's ephemeral range (32768 by default and elsewhere). */
    private static int ephemeralStart() {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        try {
            if (Files.isReadable(range)) {
                int start = Integer.parseInt(Files.readString(range).trim().split("\\s+", -1)[0]);
                if (start > LOWEST + 1_000) return start;
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the default
        }
        return 32_768;
    }
}
