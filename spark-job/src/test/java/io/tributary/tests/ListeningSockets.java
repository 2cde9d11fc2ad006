package io.tributary.tests;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The TCP sockets a process listens on, read from Linux's {@code /proc}: the socket inodes among
 * {@code /proc/PID/fd}, matched against the LISTEN rows of {@code /proc/net/tcp} and {@code tcp6}.
 * What {@code ss -ltnp} shows, without needing its privileges or its presence.
 */
final class ListeningSockets {
    /** The state column's value for LISTEN (include/net/tcp_states.h). */
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** The addresses process {@code pid} listens on now; empty once it has exited. */
    static Set<InetSocketAddress> of(long pid) throws IOException {
        Set<String> inodes = socketInodes(pid);
        Set<InetSocketAddress> listening = new LinkedHashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> rows = Files.readAllLines(Path.of(table));
            for (String row : rows.subList(1, rows.size())) {
                String[] f = row.trim().split("\\s+");
                if (f[3].equals(LISTEN) && inodes.contains(f[9])) {
                    listening.add(address(f[1]));
                }
            }
        }
        return listening;
    }

    private static Set<String> socketInodes(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (NoSuchFileException closedMeanwhile) {
                    // the descriptor was closed between listing and reading
                }
            }
        } catch (NoSuchFileException exited) {
            return Set.of();
        }
        return inodes;
    }

    /** {@code 0100007F:1F90} or its 32-digit IPv6 form: each 32-bit word in host (little-endian) order. */
    static InetSocketAddress address(String hexAddressAndPort) throws UnknownHostException {
        String[] parts = hexAddressAndPort.split(":");
        String hex = parts[0];
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = word * 8 + (3 - b) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return new InetSocketAddress(InetAddress.getByAddress(bytes), Integer.parseInt(parts[1], 16));
    }
}
