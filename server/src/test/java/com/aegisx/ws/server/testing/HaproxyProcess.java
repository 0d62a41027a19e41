package com.aegisx.ws.server.testing;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
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

    private final Process process;
    private final int port;

    private HaproxyProcess(Process process, int port) {
        this.process = process;
        this.port = port;
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
        int port = freePort();
        Path config = Path.of("..", "docker", "haproxy.cfg").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(BINARY, "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LISTEN", "127.0.0.1:" + port);
        builder.environment().put("MAXCONN", "5000"); // this machine allows 20,000 open files
        for (int i = 0; i < 3; i++) {
            // The config names three servers; unused ones point at the first node.
            int nodePort = nodePorts.get(Math.min(i, nodePorts.size() - 1));
            builder.environment().put("NODE" + (i + 1), "127.0.0.1:" + nodePort);
        }
        builder.environment().putAll(env);
        HaproxyProcess haproxy = new HaproxyProcess(builder.start(), port);
        await().atMost(Duration.ofSeconds(10)).until(() -> accepts(port));
        return haproxy;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroy();
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
