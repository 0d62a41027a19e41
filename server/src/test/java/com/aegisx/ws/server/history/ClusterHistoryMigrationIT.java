package com.aegisx.ws.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RedisClusterFixture;
import com.aegisx.ws.server.testing.TestClient;
import io.lettuce.core.MigrateArgs;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The history gap check after a live slot migration on a Redis Cluster: messages of a history
 * channel published on the new master while the node's sharded subscription was still on the old
 * one (it never sees them live) reach the subscriber from the stream that moved with the slot, in
 * order and once, first without any newer message (the node checks after following the move),
 * then live again.
 */
class ClusterHistoryMigrationIT {

    private static final String RULES = "news:**=1000/1h";

    private static List<Integer> items(TestClient client, int count) {
        return client.nextInts("item", "n", count, Duration.ofSeconds(30));
    }

    @Test
    void messagesPublishedOnTheNewMasterBeforeTheNodeFollowedTheSlotAreRecovered() throws Exception {
        RedisClusterFixture redis = RedisClusterFixture.shared();
        try (TestCluster cluster = TestCluster.start(redis, 1, Map.of("HISTORY_RULES", RULES), List.of());
             WsPublisher publisher = WsPublisher.connect(redis.url(), PublisherOptions.builder()
                     .keyPrefix(cluster.prefix()).historyRules(HistoryRules.parse(RULES)).build())) {
            String channel = "news:moving";
            TestClient client = cluster.connect(0);
            client.send(Map.of("type", "subscribe", "channel", channel));
            client.nextOfType("subscribed");
            for (int n = 1; n <= 3; n++) {
                publisher.broadcast(channel, Map.of("type", "item", "n", n));
            }
            assertEquals(List.of(1, 2, 3), items(client, 3));

            String topic = cluster.keys().channelTopic(channel);
            int slot = SlotHash.getSlot(topic);
            int source = redis.ownerOf(topic);
            int target = redis.masterPorts().stream().filter(p -> p != source).findFirst().orElseThrow();
            String sourceId = redis.node(source).clusterMyId();
            String targetId = redis.node(target).clusterMyId();
            redis.node(target).clusterSetSlotImporting(slot, sourceId);
            redis.node(source).clusterSetSlotMigrating(slot, targetId);
            List<String> keys = redis.node(source).clusterGetKeysInSlot(slot, 1000);
            redis.node(source).migrate("127.0.0.1", target, 0, 5000,
                    MigrateArgs.Builder.<String>keys(keys).auth(redis.password().toCharArray()));
            redis.node(target).clusterSetSlotNode(slot, targetId);
            // The target owns the slot; the old master still has the node's subscription and answers
            // the publisher with ASK: these land in the moved stream and are SPUBLISHed on the target.
            for (int n = 4; n <= 8; n++) {
                publisher.broadcast(channel, Map.of("type", "item", "n", n));
            }
            for (int master : redis.masterPorts()) {
                redis.node(master).clusterSetSlotNode(slot, targetId);
            }
            assertEquals(target, redis.ownerOf(topic));
            assertEquals(List.of(4, 5, 6, 7, 8), items(client, 5), "recovered without a newer message");
            publisher.broadcast(channel, Map.of("type", "item", "n", 9));
            assertEquals(List.of(9), items(client, 1));
            client.sendAndAwaitReply(Map.of("type", "ping"));
            assertEquals(9, client.received().stream().filter(m -> "item".equals(m.path("type").asText())).count(),
                    "each once");
        }
    }
}
