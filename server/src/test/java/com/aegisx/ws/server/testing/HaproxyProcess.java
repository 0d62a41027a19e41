package com.aegisx.ws.server.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's haproxy running the shipped {@code docker/haproxy.cfg} on a free port in front of the
 * given node addresses (up to three). Missing haproxy skips, except under {@code CI=true}.
 */
public final class HaproxyProcess implements AutoCloseable {

    public static final String BINARY = "/usr/sbin/haproxy";

    /** Starts when the picked port was taken before haproxy bound it. */
    private static final int BIND_ATTEMPTS = 3;

    private final Process process;
    private final int port;
    private final Path log;

    private HaproxyProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Fails (CI) or skips (elsewhere) the test when haproxy is not installed. */
    public static void requireInstalled() {
        if (!new File(BINARY).canExecute()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true and no haproxy: apt-get install -y haproxy");
            }
            Assumptions.abort("haproxy is not installed");
        }
    }

    /** @param nodePorts the nodes' ports on 127.0.0.1, at most three (NODE1..NODE3 of the config) */
    public static HaproxyProcess start(List<Integer> nodePorts) throws IOException {
        return start(nodePorts, Map.of());
    }

    /** The same, with more of the config's environment (e.g. {@code PROXY_PROTOCOL=true}). */
    public static HaproxyProcess start(List<Integer> nodePorts, Map<String, String> env) throws IOException {
        requireInstalled();
        // haproxy cannot report a port it chose itself: the port is picked here, and another process
        // may bind it before haproxy does. Then haproxy exits ("Address already in use") and is
        // started again on another port; it is only used once the listening socket is its own.
        for (int attempt = 1; ; attempt++) {
            HaproxyProcess haproxy = startOnce(nodePorts, env, freePort());
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    if (!haproxy.process.isAlive()) {
                        throw new PortTakenException(haproxy.output());
                    }
                    return accepts(haproxy.port) && ListeningSockets.ownedBy(haproxy.process.toHandle(), haproxy.port);
                });
                return haproxy;
            } catch (PortTakenException e) {
                haproxy.close();
                if (attempt == BIND_ATTEMPTS || !e.getMessage().contains("Address already in use")) {
                    throw new IllegalStateException("haproxy exited at startup:\n" + e.getMessage());
                }
            } catch (RuntimeException e) {
                haproxy.close();
                throw e;
            }
        }
    }

    private static HaproxyProcess startOnce(List<Integer> nodePorts, Map<String, String> env, int port)
            throws IOException {
        Path config = Path.of("..", "docker", "haproxy.cfg").toAbsolutePath().normalize();
        Path log = Files.createTempFile("haproxy-", ".log");
        // -dR: no SO_REUSEPORT, so a port another haproxy (another test JVM) listens on is refused
        // instead of shared with it (the kernel would split the connections between the two).
        ProcessBuilder builder = new ProcessBuilder(BINARY, "-db", "-dR", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("LISTEN", "127.0.0.1:" + port);
        builder.environment().put("MAXCONN", "5000"); // this machine allows 20,000 open files
        for (int i = 0; i < 3; i++) {
            // The config names three servers; unused ones point at the first node.
            int nodePort = nodePorts.get(Math.min(i, nodePorts.size() - 1));
            builder.environment().put("NODE" + (i + 1), "127.0.0.1:" + nodePort);
        }
        builder.environment().putAll(env);
        return new HaproxyProcess(builder.start(), port, log);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** haproxy ended before it listened; the message is its output. */
    private static final class PortTakenException extends RuntimeException {
        PortTakenException(String output) {
            super(output);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
