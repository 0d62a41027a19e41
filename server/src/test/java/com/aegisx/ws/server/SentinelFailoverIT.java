package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.ConnectionInfo;
import com.aegisx.ws.server.testing.RedisSentinelFixture;
import com.aegisx.ws.server.testing.SteadyTraffic;
import com.aegisx.ws.server.testing.TestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Sentinel mode: two nodes and a publisher on {@code redis-sentinel://...}; the master is killed
 * under steady traffic, the sentinels promote the replica, and the nodes follow it.
 */
class SentinelFailoverIT {

    private static final Duration SETTLE = Duration.ofSeconds(60);

    @Test
    void nodesFollowThePromotionWithoutDroppingSockets() throws Exception {
        try (RedisSentinelFixture sentinel = RedisSentinelFixture.start();
             TestCluster cluster = TestCluster.start(sentinel, 2, Map.of(), List.of())) {
            String channel = "sentinel:busy";
            TestClient onA = cluster.connectAs(0, "alice");
            TestClient onB = cluster.connectAs(1, "bob");
            for (TestClient client : List.of(onA, onB)) {
                client.send(Map.of("type", "subscribe", "channel", channel));
                client.nextOfType("subscribed");
            }
            Set<String> ids = cluster.publisher().getConnectionsByChannel(channel).stream().map(ConnectionInfo::id)
                    .collect(Collectors.toSet());
            assertEquals(2, ids.size());
            int oldMaster = sentinel.masterPort();

            try (SteadyTraffic traffic = new SteadyTraffic(cluster.publisher().async(), channel, 10)) {
                SteadyTraffic.awaitTicks(20, onA, onB);
                java.util.concurrent.atomic.AtomicBoolean stopSampling = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicLong notReady = SteadyTraffic.countFalse(cluster.node(0)::isReady,
                        stopSampling);
                int newMaster = sentinel.killMaster();
                assertNotEquals(oldMaster, newMaster);
                System.out.println("Sentinel failover " + oldMaster + " -> " + newMaster + ": "
                        + traffic.awaitResumedAndComplete(traffic.nextSeq(), onA, onB));
                stopSampling.set(true);
                assertTrue(notReady.get() > 0, "/ready said 503 while the master was gone");
            }
            assertTrue(onA.isOpen() && onB.isOpen(), "sockets stay open");
            for (int node = 0; node < 2; node++) {
                WsNode n = cluster.node(node);
                await().atMost(SETTLE).untilAsserted(() -> assertTrue(TestCluster.counter(n, "ws_redis_failovers_total") >= 1
                        && TestCluster.counter(n, "ws_redis_resubscriptions_total") >= 2 && n.isReady(),
                        "failovers " + TestCluster.counter(n, "ws_redis_failovers_total") + ", resubscriptions "
                                + TestCluster.counter(n, "ws_redis_resubscriptions_total") + ", ready " + n.isReady()));
            }
            // The promoted replica holds the indexes (replicated, then re-registered by the nodes).
            await().atMost(SETTLE).untilAsserted(() -> assertEquals(ids, cluster.manager(1)
                    .getConnectionsByChannel(channel).stream().map(ConnectionInfo::id).collect(Collectors.toSet())));
            assertEquals(ids.size(), sentinel.master().hlen(cluster.keys().channelMembers(channel)));
            assertEquals(1, cluster.manager(1).sendToUser("alice", Map.of("type", "after_failover")));
            onA.nextOfType("after_failover");
        }
    }
}
