package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.HungRedis;
import com.aegisx.ws.server.testing.RedisClusterFixture;
import com.aegisx.ws.server.testing.SteadyTraffic;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster master that accepts connections but does not answer (a hung process, a paused
 * VM: here SIGSTOP). It must not hold up the node's sharded subscriptions on the other masters,
 * and once the cluster has promoted its replica, delivery must follow within seconds. Lettuce waits
 * for a new connection's set-up as long as its URI's timeout (60 s unless set), and both the node's
 * shard thread and the cluster topology refresh used to wait that long.
 *
 * <p>A cluster of its own per test: stopping a master of the shared one would disturb the other
 * tests.
 */
class ClusterHungMasterIT {

    private RedisClusterFixture redis;
    private TestCluster cluster;
    private final List<String> stoppedPids = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisClusterFixture.start(RedisClusterFixture.MASTERS, RedisClusterFixture.PASSWORD);
        cluster = TestCluster.start(redis, 1, Map.of(), List.of());
    }

    @AfterEach
    void stop() throws Exception {
        for (String pid : stoppedPids) {
            HungRedis.resume(pid);
        }
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aHungMasterDoesNotHoldUpSubscriptionsOnTheOtherMasters() throws Exception {
        // The node holds pub/sub connections only to masters owning one of its topics (its inbox and
        // its probe: two topics, three masters), so one master has none yet.
        int hung = redis.masterPorts().stream()
                .filter(port -> redis.node(port).pubsubShardChannels().isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError("every master has one of the node's topics"));
        int healthy = redis.masterPorts().stream().filter(port -> port != hung).findFirst().orElseThrow();
        String onHung = channelOwnedBy(hung);
        String onHealthy = channelOwnedBy(healthy);

        // Sockets opened before the master hangs (an upgrade may need a key it holds); the one that
        // subscribes on the healthy shard has its own keys elsewhere too.
        TestClient waiting = cluster.connect(0);
        TestClient other = null;
        for (int i = 0; other == null && i < 50; i++) {
            TestClient candidate = cluster.connect(0);
            if (redis.ownerOf(cluster.keys().connection(candidate.connectionId())) != hung) {
                other = candidate;
            }
        }
        if (other == null) {
            throw new AssertionError("no socket with its keys off master " + hung);
        }

        cluster.publisher(); // a cluster client reads the topology from every master when it starts
        String pid = HungRedis.pidOf(redis.node(hung));
        HungRedis.stop(pid);
        stoppedPids.add(pid);

        waiting.send(Map.of("type", "subscribe", "channel", onHung)); // the node dials the hung master
        other.send(Map.of("type", "subscribe", "channel", onHealthy));

        JsonNode subscribed = other.nextOfType("subscribed");
        assertEquals(onHealthy, subscribed.get("channel").asText());
        assertEquals(1L, cluster.publisher().broadcast(onHealthy, Map.of("type", "tick", "n", 1)));
        assertEquals(1, other.nextOfType("tick").path("n").asInt());
    }

    /**
     * The channel's master hangs; the cluster promotes its replica. Lettuce's topology refresh
     * waited for the hung master's connection set-up as long as the URI's timeout, 60 s by
     * default, so for over a minute neither the node nor the publisher followed the failover
     * (delivery resumed after ~70 s). With every URI's timeout at the command timeout it resumes
     * within seconds, and nothing Redis acknowledged is missing.
     */
    @Test
    void aHungMasterFailsOverAndDeliveryResumesOnTheSameSocket() throws Exception {
        int victim = redis.masterPorts().get(0);
        String channel = channelOwnedBy(victim);
        TestClient socket = cluster.connect(0);
        socket.send(Map.of("type", "subscribe", "channel", channel));
        socket.nextOfType("subscribed");
        try (SteadyTraffic traffic = new SteadyTraffic(cluster.publisher().async(), channel, 10)) {
            SteadyTraffic.awaitTicks(20, socket);
            String pid = HungRedis.pidOf(redis.node(victim));
            HungRedis.stop(pid);
            stoppedPids.add(pid);
            String account = traffic.awaitResumedAndComplete(traffic.nextSeq(), socket); // within 60 s
            assertTrue(socket.isOpen(), "the socket stays open");
            System.out.println("Failover of hung master " + victim + ": " + account);
        }
    }

    private String channelOwnedBy(int port) {
        for (int i = 0; ; i++) {
            String channel = "hung-test-" + i;
            if (redis.ownerOf(cluster.keys().channelTopic(channel)) == port) {
                return channel;
            }
        }
    }
}
