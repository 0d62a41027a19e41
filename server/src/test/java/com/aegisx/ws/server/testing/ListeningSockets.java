package com.aegisx.ws.server.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether a TCP port is listened on by a given process (or one of its children), from Linux's
 * /proc. A fixture that picks a free port and hands it to a child process cannot stop another
 * process from binding it first (or, with SO_REUSEPORT, beside it); "something answers on the
 * port" then proves nothing. This tells the child's own socket from a stranger's. Where /proc is
 * missing it cannot tell and says yes.
 */
public final class ListeningSockets {

    private static final String LISTEN = "0A";
    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));

    private ListeningSockets() {
    }

    /** True when {@code port} is listened on, and only by {@code process} or its descendants. */
    public static boolean ownedBy(ProcessHandle process, int port) {
        if (!Files.isReadable(TABLES.get(0))) {
            return true;
        }
        Set<String> listening = listeningInodes(port);
        if (listening.isEmpty()) {
            return false;
        }
        Set<String> own = new HashSet<>();
        try (Stream<ProcessHandle> descendants = process.descendants()) {
            Stream.concat(Stream.of(process), descendants).forEach(p -> collectSockets(p.pid(), own));
        }
        return own.containsAll(listening);
    }

    private static Set<String> listeningInodes(int port) {
        String hexPort = ":" + String.format(Locale.ROOT, "%04X", port);
        Set<String> inodes = new HashSet<>();
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue; // no IPv6 table
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[1].endsWith(hexPort) && LISTEN.equals(fields[3])) {
                    inodes.add("socket:[" + fields[9] + "]");
                }
            }
        }
        return inodes;
    }

    private static void collectSockets(long pid, Set<String> into) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    into.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException e) {
                    // the descriptor was closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended meanwhile
        }
    }
}
