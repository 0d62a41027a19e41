package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Node liveness does not depend on the hosts' clocks agreeing: a node whose clock runs 60 s behind
 * (libfaketime in its JVM) is alive for the other node and the publisher client, and a cleanup
 * does not sweep it. Before, its heartbeat deadline was its own clock's now plus 15 s, 45 s in the
 * past by everyone else's: its connections were never counted and every sweep removed them. And the
 * admin console of a node whose clock runs ahead shows the live nodes alive.
 */
class ClockSkewIT {

    /** Where Debian's {@code faketime} package puts the preload library (.ci/run installs it). */
    private static final List<Path> LIBFAKETIME = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/faketime/libfaketime.so.1"));

    private static final String ADMIN_KEY = "clock-skew-admin-key-0123456789";

    /** The environment that runs a node's JVM with its clock moved by {@code offset} (libfaketime). */
    private static Map<String, String> clockMovedBy(String offset) {
        Path lib = LIBFAKETIME.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (lib == null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("libfaketime is missing: apt-get install -y faketime (.ci/run installs it)");
            }
            Assumptions.abort("libfaketime is not installed (apt-get install -y faketime)");
        }
        return Map.of("LD_PRELOAD", lib.toString(), "FAKETIME", offset, "FAKETIME_DONT_FAKE_MONOTONIC", "1",
                "ADMIN_API_KEY", ADMIN_KEY);
    }

    @Test
    void theAdminConsoleOfANodeWhoseClockRunsAheadShowsTheLiveNodesAlive() throws Exception {
        try (TestCluster cluster = TestCluster.start(1);
             NodeProcess ahead = cluster.startProcess("ahead", clockMovedBy("+60s"))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + ahead.managementPort() + "/api/v1/admin/nodes"))
                    .header("X-Api-Key", ADMIN_KEY).build();
            // Before, it compared the deadlines (Redis' time) with its own clock: every node dead, 45 s ago.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode nodes = Json.parseObject(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
                assertEquals(2, nodes.path("nodes").size(), nodes.toString());
                for (JsonNode node : nodes.path("nodes")) {
                    assertTrue(node.path("alive").asBoolean(), nodes.toString());
                    assertTrue(node.path("heartbeatAgeMs").asLong() < 15_000, nodes.toString());
                }
            });
        }
    }

    @Test
    void aNodeWhoseClockRunsBehindIsAliveForTheOthersAndIsNotSwept() throws Exception {
        try (TestCluster cluster = TestCluster.start(1);
             NodeProcess behind = cluster.startProcess("behind", clockMovedBy("-60s"))) {
            TestClient client = TestClient.connect(behind.uri("/ws"));
            String id = client.connectionId();
            WsPublisher publisher = cluster.publisher();
            await().atMost(Duration.ofSeconds(20)).until(() -> publisher.getActiveConnections() == 1);

            publisher.cleanupInactiveConnections();
            assertEquals(1L, cluster.redis().exists(cluster.keys().connection(id)),
                    "a live node's connection is not swept, whatever its clock says");
            assertEquals(1, publisher.getActiveConnections());
            client.close();
        }
    }
}
