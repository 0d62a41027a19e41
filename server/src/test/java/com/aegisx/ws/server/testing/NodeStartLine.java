package com.aegisx.ws.server.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The port a node in a child process really bound, read from its startup line
 * ({@code Node <id> listening on <host>:<port>, management on ...}, text or JSON logs). A child
 * started on port 0 reports its port this way, so no fixture hands it a port that another process
 * could take before the child binds it.
 */
public final class NodeStartLine {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private NodeStartLine() {
    }

    /**
     * Waits until {@code log} holds the startup line of node {@code nodeId} (any node when null) and
     * returns its public port; fails at once with the log when {@code process} exits first.
     */
    public static int awaitPort(Path log, String nodeId, Process process) {
        Pattern line = Pattern.compile("Node " + (nodeId == null ? "\\S+" : Pattern.quote(nodeId))
                + " listening on [^\\s:]+:(\\d+), management on ");
        AtomicInteger port = new AtomicInteger();
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(100)).until(() -> {
            String text = read(log);
            Matcher matcher = line.matcher(text);
            if (matcher.find()) {
                port.set(Integer.parseInt(matcher.group(1)));
                return true;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("node exited before it was listening: " + read(log));
            }
            return false;
        });
        return port.get();
    }

    /** The management port in the startup line {@link #awaitPort} waited for; -1 when it names none. */
    public static int managementPort(Path log, String nodeId) {
        Pattern line = Pattern.compile("Node " + (nodeId == null ? "\\S+" : Pattern.quote(nodeId))
                + " listening on [^\\s:]+:\\d+, management on [^\\s:]+:(\\d+)");
        Matcher matcher = line.matcher(read(log));
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static String read(Path log) {
        try {
            // Lenient decoding: the child may be in the middle of writing a multi-byte character.
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
