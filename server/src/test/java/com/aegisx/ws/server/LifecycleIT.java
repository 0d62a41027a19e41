package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.security.LogCapture;
import com.aegisx.ws.server.testing.NodeProcess;
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
            String id = client.connectionId();
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
        // The victim runs in a child JVM and gets a real kill -9: no shutdown hook, no cleanup.
        try (TestCluster cluster = TestCluster.start(1);
             NodeProcess victimNode = cluster.startProcess("victim")) {
            TestClient victim = TestClient.connect(victimNode.uri("/ws"),
                    Map.of("Authorization", "Bearer " + TestCluster.token("dave")));
            victim.nextOfType("welcome");
            victim.send(Map.of("type", "subscribe", "channel", "ward:9"));
            victim.nextOfType("subscribed");
            String id = victim.connectionId();
            String deadNode = "victim-" + cluster.prefix();
            assertEquals(1, cluster.manager(0).getConnectionsByUser("dave").size());

            victimNode.kill();

            KeySchema keys = cluster.keys();
            await().atMost(PATIENCE).until(() ->
                    traces(cluster.redis(), keys, deadNode, id, "dave", "ward:9").stream().noneMatch(b -> b)
                            && cluster.redis().zscore(keys.nodes(), deadNode) == null
                            && cluster.redis().exists(keys.node(deadNode)) == 0);
            assertEquals(0, cluster.manager(0).getActiveConnections());
            assertTrue(cluster.manager(0).getConnectionsByChannel("ward:9").isEmpty());
        }
    }

    @Test
    void aNodeSweptWhileItsLinkWasSilentRegistersEverySocketAgain() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            TestClient client = cluster.connectAs(1, "gail");
            client.send(Map.of("type", "subscribe", "channel", "ward:3"));
            client.nextOfType("subscribed");
            String id = client.connectionId();
            String node = cluster.node(1).nodeId();
            KeySchema keys = cluster.keys();
            assertEquals(List.of(true, true, true, true, true), traces(cluster.redis(), keys, node, id, "gail", "ward:3"));

            // What a survivor's sweep does to a node it believed dead: every record of the node and
            // its sockets goes, the node's entry in the registry last (as DeadNodeSweeper does).
            var redis = cluster.redis();
            redis.del(keys.connection(id), keys.connectionChannels(id));
            redis.hdel(keys.channelMembers("ward:3"), id);
            redis.hdel(keys.userConnections("gail"), id);
            redis.hdel(keys.ipConnections("127.0.0.1"), id);
            redis.del(keys.nodeConnections(node), keys.node(node));
            redis.zrem(keys.nodes(), node);

            // The node's next heartbeat finds itself missing and writes everything back.
            await().atMost(PATIENCE).until(() ->
                    traces(cluster.redis(), keys, node, id, "gail", "ward:3").stream().allMatch(b -> b));
            assertEquals(1, cluster.manager(0).getConnectionsByChannel("ward:3").size());
            assertEquals(1, cluster.manager(0).getConnectionsByUser("gail").size());
            cluster.manager(0).broadcast("ward:3", Map.of("type", "after_repair"));
            client.nextOfType("after_repair");
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
            cluster.publisher().sendToConnection(listener.connectionId(), Map.of("type", "still_here"));
            listener.nextOfType("still_here");
        }
    }

    @Test
    void closeCalledTwiceAtOnceRunsOnce() throws Exception {
        try (TestCluster cluster = TestCluster.start(1);
             LogCapture logs = new LogCapture()) {
            WsNode node = cluster.node(0);
            java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(2);
            Runnable close = () -> {
                try {
                    together.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                node.close();
            };
            java.util.concurrent.CompletableFuture<Void> first = java.util.concurrent.CompletableFuture.runAsync(close);
            java.util.concurrent.CompletableFuture<Void> second = java.util.concurrent.CompletableFuture.runAsync(close);
            first.get();
            second.get();
            String stopped = "Node " + node.nodeId() + " stopped";
            String shutting = "Node " + node.nodeId() + " shutting down";
            assertEquals(1, logs.lines().stream().filter(l -> l.contains(stopped)).count(), logs.lines().toString());
            assertEquals(1, logs.lines().stream().filter(l -> l.contains(shutting)).count());
        }
    }

    @Test
    void gracefulShutdownClosesWithServiceRestartAndLeavesNothing() throws Exception {
        try (TestCluster cluster = TestCluster.start(2)) {
            TestClient client = cluster.connectAs(1, "erin");
            client.send(Map.of("type", "subscribe", "channel", "ward:5"));
            client.nextOfType("subscribed");
            String id = client.connectionId();
            String node = cluster.node(1).nodeId();

            cluster.node(1).close();

            assertEquals(CloseCodes.SERVICE_RESTART, client.awaitClose().statusCode());
            KeySchema keys = cluster.keys();
            assertEquals(List.of(false, false, false, false, false),
                    traces(cluster.redis(), keys, node, id, "erin", "ward:5"));
            assertEquals(null, cluster.redis().zscore(keys.nodes(), node));
            assertFalse(cluster.redis().exists(keys.node(node)) > 0);
            assertEquals(0, cluster.manager(0).getActiveConnections());
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
            cluster.manager(0).cleanupInactiveConnections();
            assertEquals(CloseCodes.INACTIVE, idle.awaitClose(PATIENCE));
        }
    }
}
