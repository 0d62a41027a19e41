package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.server.testing.RawWsClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped load balancer configuration (docker/haproxy.cfg), run for real in front of three
 * nodes: sticky sessions, and failover when a node shuts down gracefully.
 */
class HaproxyIT {

    private TestCluster cluster;
    private Process haproxy;
    private int port;

    @BeforeEach
    void start() throws Exception {
        File binary = new File("/usr/sbin/haproxy");
        if (!binary.canExecute()) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true and no haproxy: apt-get install -y haproxy");
            }
            Assumptions.abort("haproxy is not installed");
        }
        cluster = TestCluster.start(3);
        port = freePort();
        Path config = Path.of("..", "docker", "haproxy.cfg").toAbsolutePath().normalize();
        ProcessBuilder builder = new ProcessBuilder(binary.getPath(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("LISTEN", "127.0.0.1:" + port);
        builder.environment().put("MAXCONN", "5000"); // this machine allows 20,000 open files
        for (int i = 0; i < 3; i++) {
            builder.environment().put("NODE" + (i + 1), "127.0.0.1:" + cluster.node(i).port());
        }
        haproxy = builder.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> accepts(port));
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.destroy();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    private URI balanced() {
        return URI.create("ws://127.0.0.1:" + port + "/ws");
    }

    private static String nodeOf(RawWsClient client) {
        return Identifiers.nodeOf(client.readTextJson().path("data").path("connectionId").asText());
    }

    @Test
    void theStickyCookieBringsAClientBackToItsNodeAndFailsOverWhenItLeaves() throws Exception {
        String cookie;
        String firstNode;
        try (RawWsClient first = RawWsClient.connect(balanced())) {
            cookie = first.responseHeaders().get("set-cookie");
            assertTrue(cookie != null && cookie.startsWith("WSNODE="), "HAProxy sets the sticky cookie: " + cookie);
            firstNode = nodeOf(first);
        }
        String cookieValue = cookie.split(";")[0];
        for (int i = 0; i < 3; i++) {
            try (RawWsClient again = RawWsClient.connect(balanced(), Map.of("Cookie", cookieValue))) {
                assertEquals(firstNode, nodeOf(again), "sticky to the same node");
            }
        }

        RawWsClient held = RawWsClient.connect(balanced(), Map.of("Cookie", cookieValue));
        assertEquals(firstNode, nodeOf(held));
        int index = 0;
        while (!cluster.node(index).nodeId().equals(firstNode)) {
            index++;
        }
        cluster.node(index).close();
        assertEquals(CloseCodes.SERVICE_RESTART, held.awaitClose(Duration.ofSeconds(10)));

        // The client reconnects with its old cookie; HAProxy sees the node down and moves it.
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            try (RawWsClient moved = RawWsClient.connect(balanced(), Map.of("Cookie", cookieValue))) {
                String node = nodeOf(moved);
                assertNotEquals(firstNode, node);
                return true;
            }
        });
    }

    @Test
    void messagesReachClientsThroughTheBalancer() throws Exception {
        try (RawWsClient client = RawWsClient.connect(balanced())) {
            client.readTextJson();
            client.sendJson(Map.of("type", "subscribe", "channel", "lb:test"));
            assertEquals("subscribed", client.readTextJson().path("type").asText());
            cluster.publisher().broadcast("lb:test", Map.of("type", "through_haproxy"));
            assertEquals("through_haproxy", client.readTextJson().path("type").asText());
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
