package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.HaproxyProcess;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shipped load balancer configuration (docker/haproxy.cfg), run for real in front of three
 * nodes: sticky sessions, and failover when a node shuts down gracefully.
 */
class HaproxyIT {

    private TestCluster cluster;
    private HaproxyProcess haproxy;
    private int port;

    @BeforeEach
    void start() throws Exception {
        HaproxyProcess.requireInstalled();
        cluster = TestCluster.start(3);
        haproxy = HaproxyProcess.start(List.of(cluster.node(0).port(), cluster.node(1).port(), cluster.node(2).port()));
        port = haproxy.port();
    }

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.close();
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
}
