package com.aegisx.ws.server.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node in a child JVM, started as production starts it ({@code java -jar target/ws-server.jar},
 * or the test class path when the jar is not built), so a test can kill it for real
 * ({@link #kill()}: SIGKILL, no shutdown hook, no cleanup in Redis).
 */
public final class NodeProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private NodeProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Attempts when the chosen port was taken before the child JVM bound it. */
    private static final int BIND_ATTEMPTS = 3;

    /**
     * Starts a node with {@code env} (PORT is chosen here) and waits until GET /ready answers 200.
     * A free port can be taken in the second the child JVM needs to bind it (the four worktrees'
     * tests run side by side): then it starts again on another port.
     */
    public static NodeProcess start(Map<String, String> env) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(env);
            } catch (IllegalStateException e) {
                if (attempt >= BIND_ATTEMPTS || e.getMessage() == null || !e.getMessage().contains("Failed to bind")) {
                    throw e;
                }
            }
        }
    }

    private static NodeProcess startOnce(Map<String, String> env) throws IOException {
        int port = freePort();
        Path jar = Path.of("target", "ws-server.jar");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
        if (Files.isRegularFile(jar)) {
            command.addAll(List.of("-jar", jar.toString()));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "com.aegisx.ws.server.Main"));
        }
        Path log = Files.createTempFile("node-process-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // One JVM: a test that kills this process (kill -9) must kill the node, not a launcher
        // whose child would then shut down gracefully (JvmRelaunch).
        builder.environment().put("NODE_JVM_OPTIONS", "none");
        builder.environment().putAll(env);
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("HOST", "127.0.0.1");
        NodeProcess node = new NodeProcess(builder.start(), port, log);
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!node.process.isAlive()) {
                    throw new IllegalStateException("node exited: " + Files.readString(log));
                }
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException e) {
            node.kill();
            throw e;
        }
        return node;
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("ws://127.0.0.1:" + port + path);
    }

    /** SIGKILL: the node gets no chance to clean anything up. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
