package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connections and nodes come and go; Redis must always end up describing exactly what is alive. */
class LifecycleIT {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private static String connectionId(TestClient client) {
        client.send(Map.of("type", "get_status"));
        return client.nextOfType("status").path("data").path("connectionId").asText();
    }

    /** Every key and index entry that mentions the connection. */
    private static List<Boolean> traces(RedisClusterCommands<String, String> redis, KeySchema keys, String nodeId,
                                        String connectionId, String userId, String channel) {
        return List.of(
                redis.exists(keys.connection(connectionId)) > 0,
                redis.exists(keys.connectionChannels(connectionId)) > 0,
                redis.sismember(keys.nodeConnections(nodeId), connectionId),
                redis.hexists(keys.userConnections(userId), connectionId),
                redis.hexists(keys.channelMembers(channel), connectionId));
    }

    @Test
    void closingASocketRemovesItFromEveryIndex() throws Exception {
        try (TestCluster cluster = TestCluster.start(1)) {
            TestClient client = cluster.connectAs(0, "carol");
            client.send(Map.of("type", "subscribe", "channel", "ward:3"));
            client.nextOfType("subscribed");
            String id = connectionId(client);
            String node = cluster.node(0).nodeId();
            assertEquals(List.of(true, true, true, true, true),
                    traces(cluster.redis(), cluster.keys(), node, id, "carol", "ward:3"));

            client.close();
            await().atMost(PATIENCE).until(() ->
                    traces(cluster.redis(), cluster.keys(), node, id, "carol", "ward:3").stream().noneMatch(b -> b));
            await().atMost(PATIENCE).until(() -> cluster.node(0).hub().size() == 0);
            assertEquals(0, cluster.node(0).hub().topics().topicCount(), "no pub/sub subscription left behind");
        }
    }

    @Test
    void aKilledNodeIsSweptByASurvivor() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            TestClient victim = cluster.connectAs(1, "dave");
            victim.send(Map.of("type", "subscribe", "channel", "ward:9"));
            victim.nextOfType("subscribed");
            String id = connectionId(victim);
            String deadNode = cluster.node(1).nodeId();
            assertEquals(1, cluster.node(0).manager().getConnectionsByUser("dave").size());

            cluster.node(1).crash();

            KeySchema keys = cluster.keys();
            await().atMost(PATIENCE).until(() ->
                    traces(cluster.redis(), keys, deadNode, id, "dave", "ward:9").stream().noneMatch(b -> b)
                            && cluster.redis().zscore(keys.nodes(), deadNode) == null
                            && cluster.redis().exists(keys.node(deadNode)) == 0);
            assertEquals(0, cluster.node(0).manager().getActiveConnections());
            assertTrue(cluster.node(0).manager().getConnectionsByChannel("ward:9").isEmpty());
        }
    }

    @Test
    void aSocketThatStopsAnsweringPingsIsClosedAndRemoved() throws Exception {
        Map<String, String> fast = Map.of(
                "WEBSOCKET_PING_INTERVAL", "100",
                "WEBSOCKET_CONNECTION_TIMEOUT", "700",
                "WEBSOCKET_CLEANUP_INTERVAL", "100");
        try (TestCluster cluster = TestCluster.start(1, fast);
             RawWsClient silent = RawWsClient.connect(cluster.uri(0, "/ws"));
             TestClient listener = TestClient.connect(cluster.uri(0, "/ws"))) {
            String id = silent.readTextJson().path("data").path("connectionId").asText();
            listener.nextOfType("welcome");

            assertEquals(CloseCodes.INACTIVE, silent.awaitClose(PATIENCE));
            assertTrue(silent.pingsReceived() > 0, "it was pinged before being given up");
            await().atMost(PATIENCE).until(() -> cluster.redis().exists(cluster.keys().connection(id)) == 0);

            // The JDK client answers pings by itself: a listen-only client that does so is kept.
            assertTrue(listener.isOpen());
            assertEquals(1, cluster.node(0).hub().size());
            cluster.publisher().sendToConnection(connectionId(listener), Map.of("type", "still_here"));
            listener.nextOfType("still_here");
        }
    }

    @Test
    void gracefulShutdownClosesWithServiceRestartAndLeavesNothing() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            TestClient client = cluster.connectAs(1, "erin");
            client.send(Map.of("type", "subscribe", "channel", "ward:5"));
            client.nextOfType("subscribed");
            String id = connectionId(client);
            String node = cluster.node(1).nodeId();

            cluster.node(1).close();

            assertEquals(CloseCodes.SERVICE_RESTART, client.awaitClose().statusCode());
            KeySchema keys = cluster.keys();
            assertEquals(List.of(false, false, false, false, false),
                    traces(cluster.redis(), keys, node, id, "erin", "ward:5"));
            assertEquals(null, cluster.redis().zscore(keys.nodes(), node));
            assertFalse(cluster.redis().exists(keys.node(node)) > 0);
            assertEquals(0, cluster.node(0).manager().getActiveConnections());
        }
    }

    @Test
    void manualCleanupClosesInactiveSocketsOnEveryNode() throws Exception {
        // The raw client never answers pings and the automatic sweep is off for an hour, so only
        // the manual call can close the socket.
        Map<String, String> manual = Map.of(
                "WEBSOCKET_PING_INTERVAL", "100",
                "WEBSOCKET_CONNECTION_TIMEOUT", "300",
                "WEBSOCKET_CLEANUP_INTERVAL", "3600000");
        try (TestCluster cluster = TestCluster.start(2, manual);
             RawWsClient idle = RawWsClient.connect(cluster.uri(1, "/ws"))) {
            String id = idle.readTextJson().path("data").path("connectionId").asText();
            await().atMost(PATIENCE).until(() ->
                    System.currentTimeMillis() - cluster.node(1).hub().get(id).lastSeenMillis() > 300);
            assertTrue(cluster.node(1).hub().get(id).isOpen());
            cluster.node(0).manager().cleanupInactiveConnections();
            assertEquals(CloseCodes.INACTIVE, idle.awaitClose(PATIENCE));
        }
    }
}
