package com.aegisx.ws.server.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
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
    private final int managementPort;
    private final Path log;

    private NodeProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Starts a node with {@code env} and waits until GET /ready answers 200. The node binds port 0
     * (and management port 0) itself and the port is read from its startup line: a port picked
     * here and handed over would be free only until the child binds it, and a concurrent test JVM
     * could take it meanwhile (then /ready or /ws would reach that JVM's node, not ours).
     */
    public static NodeProcess start(Map<String, String> env) throws IOException {
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
        // The startup line (INFO) is how the fixture learns the port; an inherited LOG_LEVEL must not hide it.
        builder.environment().put("LOG_LEVEL", "INFO");
        builder.environment().putAll(env);
        builder.environment().put("PORT", "0");
        builder.environment().put("MANAGEMENT_PORT", "0");
        builder.environment().put("HOST", "127.0.0.1");
        String nodeId = env.get("NODE_ID");
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            int port = NodeStartLine.awaitPort(log, nodeId, process);
            NodeProcess node = new NodeProcess(process, port, NodeStartLine.managementPort(log, nodeId), log);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("node exited: " + Files.readString(log));
                }
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException e) {
                    return false;
                }
            });
            return node;
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public int managementPort() {
        return managementPort;
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
}
