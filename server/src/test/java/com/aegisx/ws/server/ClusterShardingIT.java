package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.testing.RedisClusterFixture;
import com.aegisx.ws.server.testing.SteadyTraffic;
import com.aegisx.ws.server.testing.TestClient;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sharded pub/sub on a real 3-master Redis Cluster: where subscriptions live, which shard carries
 * a message, and what happens to a busy channel when its master fails or its slot migrates.
 */
class ClusterShardingIT {

    private static final Duration SETTLE = Duration.ofSeconds(60);

    private RedisClusterFixture redis;
    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        redis = RedisClusterFixture.shared();
        cluster = TestCluster.start(redis, 2, Map.of(), List.of());
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    private static void subscribe(TestClient client, String channel) {
        client.send(Map.of("type", "subscribe", "channel", channel));
        client.nextOfType("subscribed");
    }

    private static long spublishCalls(RedisCommands<String, String> node) {
        for (String line : node.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_spublish:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_spublish:calls=(\\d+),.*", "$1").trim());
            }
        }
        return 0;
    }

    @Test
    void eachChannelIsSubscribedOnlyOnItsShardAndOtherShardsCarryNoneOfItsTraffic() {
        TestClient client = cluster.connect(0);
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            channels.add("shard:test-" + i);
            subscribe(client, channels.get(i));
        }
        List<Integer> masters = redis.masterPorts();
        Set<Integer> owners = new HashSet<>();
        for (String channel : channels) {
            String topic = cluster.keys().channelTopic(channel);
            int owner = redis.ownerOf(topic);
            owners.add(owner);
            for (int master : masters) {
                long subscribers = redis.node(master).pubsubShardNumsub(topic).getOrDefault(topic, 0L);
                assertEquals(master == owner ? 1L : 0L, subscribers,
                        "PUBSUB SHARDNUMSUB " + topic + " on " + master + " (owner " + owner + ")");
            }
        }
        assertEquals(Set.copyOf(masters), owners, "30 channels spread over all three shards");

        String busy = channels.get(0);
        int owner = redis.ownerOf(cluster.keys().channelTopic(busy));
        Map<Integer, Long> before = new HashMap<>();
        masters.forEach(m -> before.put(m, spublishCalls(redis.node(m))));
        for (int i = 0; i < 50; i++) {
            assertEquals(1L, cluster.publisher().broadcast(busy, Map.of("type", "tick", "seq", i)));
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(i, client.nextOfType("tick").path("seq").asInt());
        }
        for (int master : masters) {
            long published = spublishCalls(redis.node(master)) - before.get(master);
            assertEquals(master == owner ? 50L : 0L, published, "SPUBLISH calls on " + master + " (owner " + owner + ")");
        }
    }

    @Test
    void aMasterFailsUnderSteadyTrafficAndDeliveryResumesOnTheSameSockets() throws Exception {
        String channel = "failover:busy";
        String topic = cluster.keys().channelTopic(channel);
        TestClient onA = cluster.connectAs(0, "alice");
        TestClient onB = cluster.connectAs(1, "bob");
        subscribe(onA, channel);
        subscribe(onB, channel);
        String idA = cluster.publisher().getConnectionsByUser("alice").get(0).id();
        String idB = cluster.publisher().getConnectionsByUser("bob").get(0).id();
        int victim = redis.ownerOf(topic);

        int promoted;
        try (SteadyTraffic traffic = new SteadyTraffic(cluster.publisher().async(), channel, 10)) {
            SteadyTraffic.awaitTicks(20, onA, onB);
            assertTrue(cluster.node(0).isReady());
            java.util.concurrent.atomic.AtomicBoolean stopSampling = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicLong notReady = SteadyTraffic.countFalse(cluster.node(0)::isReady, stopSampling);
            promoted = redis.failOver(victim);
            // Delivery resumes on both nodes, through the promoted replica, on the same sockets;
            // nothing Redis acknowledged to both nodes is missing: the gap is what the publisher was told.
            String account = traffic.awaitResumedAndComplete(traffic.nextSeq(), onA, onB);
            assertTrue(onA.isOpen() && onB.isOpen(), "sockets stay open");
            stopSampling.set(true);
            assertTrue(notReady.get() > 0, "/ready said 503 while the channel's shard had no master");
            System.out.println("Cluster failover of master " + victim + " (replica " + promoted + " promoted): " + account);
        } finally {
            redis.restore(victim);
        }
        assertEquals(promoted, redis.ownerOf(topic));
        // Indexes complete again (re-registered after the failover), queries answer from any node.
        await().atMost(SETTLE).untilAsserted(() -> {
            assertEquals(Set.of(idA, idB), cluster.manager(1).getConnectionsByChannel(channel).stream()
                    .map(c -> c.id()).collect(Collectors.toSet()));
            assertEquals(2, cluster.publisher().getActiveConnections());
        });
        await().atMost(SETTLE).untilAsserted(() -> {
            assertTrue(TestCluster.counter(cluster.node(0), "ws_redis_failovers_total") >= 1, cluster.node(0).metrics().scrape());
            assertTrue(TestCluster.counter(cluster.node(1), "ws_redis_resubscriptions_total") >= 1, cluster.node(1).metrics().scrape());
        });
        assertTrue(cluster.node(0).isReady() && cluster.node(1).isReady());
        assertTrue(cluster.manager(0).sendToUser("alice", Map.of("type", "after_failover")) >= 1);
        onA.nextOfType("after_failover");
    }

    @Test
    void aBusyChannelsSlotMigratesToAnotherMasterAndTheNodesFollowIt() throws Exception {
        String channel = "migrate:busy";
        String topic = cluster.keys().channelTopic(channel);
        TestClient onA = cluster.connect(0);
        TestClient onB = cluster.connect(1);
        subscribe(onA, channel);
        subscribe(onB, channel);
        int slot = SlotHash.getSlot(topic);
        int source = redis.ownerOf(topic);
        int target = redis.masterPorts().stream().filter(p -> p != source).findFirst().orElseThrow();
        String sourceId = redis.node(source).clusterMyId();
        String targetId = redis.node(target).clusterMyId();

        try (SteadyTraffic traffic = new SteadyTraffic(cluster.publisher().async(), channel, 10)) {
            SteadyTraffic.awaitTicks(20, onA, onB);
            redis.node(target).clusterSetSlotImporting(slot, sourceId);
            redis.node(source).clusterSetSlotMigrating(slot, targetId);
            List<String> keys = redis.node(source).clusterGetKeysInSlot(slot, 1000);
            if (!keys.isEmpty()) {
                redis.node(source).migrate("127.0.0.1", target, 0, 5000,
                        MigrateArgs.Builder.<String>keys(keys).auth(redis.password().toCharArray()));
            }
            for (int master : redis.masterPorts()) {
                redis.node(master).clusterSetSlotNode(slot, targetId);
            }
            String account = traffic.awaitResumedAndComplete(traffic.nextSeq(), onA, onB);
            System.out.println("Slot " + slot + " migrated " + source + " -> " + target + ": " + account);
        }
        assertEquals(target, redis.ownerOf(topic));
        assertEquals(2L, redis.node(target).pubsubShardNumsub(topic).getOrDefault(topic, 0L), "both nodes moved");
        assertEquals(0L, redis.node(source).pubsubShardNumsub(topic).getOrDefault(topic, 0L));
        assertTrue(onA.isOpen() && onB.isOpen());
        assertEquals(2, cluster.publisher().getConnectionsByChannel(channel).size(), "membership moved with the slot");
    }
}
