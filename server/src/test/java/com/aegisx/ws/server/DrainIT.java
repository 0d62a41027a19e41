package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A socket whose upgrade was under way when the node began to drain used to get {@code welcome}
 * and then die with 1006 when Jetty stopped. Once a drain starts, new upgrades get 503 and every
 * socket, late ones included, is closed with 1012.
 */
class DrainIT {

    private static final Duration PATIENCE = Duration.ofSeconds(15);

    @Test
    void anUpgradeUnderWayWhenTheDrainStartsIsRefusedOrClosedWith1012() throws Exception {
        // Heartbeats far apart: while Redis is paused, the upgrade's connection-limit check is the
        // only write waiting, so "a client is blocked" means the upgrade is held in the gate.
        Map<String, String> env = Map.of("NODE_HEARTBEAT_INTERVAL", "5000", "NODE_HEARTBEAT_TIMEOUT", "15000",
                "SHUTDOWN_GRACE", "8000");
        try (RedisFixture redis = RedisFixture.dedicated();
             TestCluster cluster = TestCluster.start(redis, 1, env, List.of())) {
            TestClient early = cluster.connectAs(0, "early");
            var admin = redis.sync();

            // CLIENT PAUSE 1500 WRITE: writes wait, the upgrade's limit check among them.
            admin.dispatch(CommandType.CLIENT, new StatusOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add("PAUSE").add(1500).add("WRITE"));
            CompletableFuture<TestClient.HandshakeResult> late = CompletableFuture.supplyAsync(() ->
                    TestClient.tryConnect(cluster.uri(0, "/ws"),
                            Map.of("Authorization", "Bearer " + TestCluster.token("late"))));
            await().atMost(PATIENCE).until(() -> blockedClients(admin.info("clients")) >= 1);

            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> cluster.node(0).close());

            assertEquals(CloseCodes.SERVICE_RESTART, early.awaitClose(PATIENCE).statusCode());
            TestClient.HandshakeResult result = late.get();
            if (result.upgraded()) {
                TestClient client = result.client();
                TestClient.CloseInfo close = client.awaitClose(PATIENCE);
                assertEquals(CloseCodes.SERVICE_RESTART, close.statusCode(), "late socket: " + close);
                assertTrue(client.received().stream().noneMatch(m -> "welcome".equals(m.path("type").asText())),
                        "a socket of a draining node gets no welcome: " + client.received());
            } else {
                assertEquals(503, result.statusCode());
            }
            drain.get();
        }
    }

    private static long blockedClients(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("blocked_clients:")) {
                return Long.parseLong(line.substring("blocked_clients:".length()).trim());
            }
        }
        return 0;
    }
}
