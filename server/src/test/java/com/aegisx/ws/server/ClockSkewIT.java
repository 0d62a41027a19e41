package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.TestClient;
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
 * past by everyone else's: its connections were never counted and every sweep removed them.
 */
class ClockSkewIT {

    /** Where Debian's {@code faketime} package puts the preload library (.ci/run installs it). */
    private static final List<Path> LIBFAKETIME = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path.of("/usr/lib/faketime/libfaketime.so.1"));

    @Test
    void aNodeWhoseClockRunsBehindIsAliveForTheOthersAndIsNotSwept() throws Exception {
        Path lib = LIBFAKETIME.stream().filter(Files::isRegularFile).findFirst().orElse(null);
        if (lib == null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("libfaketime is missing: apt-get install -y faketime (.ci/run installs it)");
            }
            Assumptions.abort("libfaketime is not installed (apt-get install -y faketime)");
        }
        try (TestCluster cluster = TestCluster.start(1);
             NodeProcess behind = cluster.startProcess("behind", Map.of("LD_PRELOAD", lib.toString(),
                     "FAKETIME", "-60s", "FAKETIME_DONT_FAKE_MONOTONIC", "1"))) {
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
