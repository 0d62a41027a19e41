package com.aegisx.ws.server.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TcpProxy;
import com.aegisx.ws.server.testing.TestClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pub/sub connection that goes silent without breaking (the proxy holds its bytes back; no RST,
 * no FIN, so Lettuce sees nothing) is noticed by the node's probe, reported by /ready, replaced and
 * subscribed again; what was published on history channels meanwhile is filled in.
 */
class PubSubProbeIT {

    private static final String RULES = "news:**=1000/1h";
    /**
     * Quick enough for a test, with room for a loaded machine: a probe that is merely late (a busy
     * 2-core CI box, a GC pause) must not replace the healthy connection before the freeze.
     */
    private static final String PROBE_INTERVAL = "300";
    private static final String PROBE_TIMEOUT = "3000";

    private static double replaced(WsNode node) {
        return node.metrics().registry().find("ws.pubsub.replaced").functionCounter().count();
    }

    @Test
    void aSilentPubSubConnectionIsReplacedAndNothingIsLostOnHistoryChannels() throws Exception {
        RedisFixture redis = RedisFixture.shared();
        URI target = URI.create(redis.url());
        try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort());
             TestCluster cluster = TestCluster.start(redis, 1, Map.of("HISTORY_RULES", RULES,
                     "REDIS_URL", proxy.url(), "PUBSUB_PROBE_INTERVAL", PROBE_INTERVAL, "PUBSUB_PROBE_TIMEOUT", PROBE_TIMEOUT), List.of());
             WsPublisher publisher = WsPublisher.connect(redis.url(), PublisherOptions.builder()
                     .keyPrefix(cluster.prefix()).historyRules(HistoryRules.parse(RULES)).build())) {
            WsNode node = cluster.node(0);
            TestClient client = cluster.connect(0);
            client.send(Map.of("type", "subscribe", "channel", "news:p"));
            client.nextOfType("subscribed");
            publisher.broadcast("news:p", Map.of("type", "item", "n", 1));
            assertEquals(1, client.nextOfType("item").path("n").asInt());
            assertTrue(node.isReady());
            assertEquals(0.0, replaced(node));

            proxy.freeze(1); // the node's second connection: pub/sub (the first carries commands)
            // Not ready lasts only from the probe's timeout to the end of the replacement (one probe
            // interval, a few ms on a quick machine): a poll can miss it, and waiting for it then
            // waits for ever. Refusing new connections holds the node there until the test has seen it.
            proxy.refuse(true);
            publisher.broadcast("news:p", Map.of("type", "item", "n", 2));
            publisher.broadcast("news:p", Map.of("type", "item", "n", 3));

            await().atMost(Duration.ofSeconds(15)).until(() -> !node.isReady());
            proxy.refuse(false);
            await().atMost(Duration.ofSeconds(15)).until(() -> replaced(node) >= 1 && node.isReady());
            assertEquals(2, client.nextOfType("item", Duration.ofSeconds(15)).path("n").asInt());
            assertEquals(3, client.nextOfType("item").path("n").asInt());
            publisher.broadcast("news:p", Map.of("type", "item", "n", 4));
            assertEquals(4, client.nextOfType("item").path("n").asInt());
            client.sendAndAwaitReply(Map.of("type", "ping"));
            assertEquals(4, client.received().stream().filter(m -> "item".equals(m.path("type").asText())).count());
            assertTrue(proxy.accepted() >= 3, "a new pub/sub connection was opened");
        }
    }
}
