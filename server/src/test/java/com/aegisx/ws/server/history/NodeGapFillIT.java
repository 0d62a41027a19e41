package com.aegisx.ws.server.history;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.history.HistoryRules;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TcpProxy;
import com.aegisx.ws.server.testing.TestClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node whose own Redis link breaks (a TCP proxy between it and Redis resets every connection)
 * fills the gap for its sockets from the history: they get every message once, in order, without
 * resubscribing.
 */
class NodeGapFillIT {

    private static final String RULES = "news:**=1000/1h";

    private static List<Integer> items(TestClient client, int count) {
        return client.nextInts("item", "n", count, Duration.ofSeconds(20));
    }

    @Test
    void aCutLinkLosesNothingOnHistoryChannels() throws Exception {
        RedisFixture redis = RedisFixture.shared();
        URI target = URI.create(redis.url());
        try (TcpProxy proxy = new TcpProxy(target.getHost(), target.getPort());
             TestCluster cluster = TestCluster.start(redis, 1, Map.of("HISTORY_RULES", RULES,
                     "REDIS_URL", proxy.url()), List.of());
             WsPublisher publisher = WsPublisher.connect(redis.url(), PublisherOptions.builder()
                     .keyPrefix(cluster.prefix()).historyRules(HistoryRules.parse(RULES)).build())) {
            TestClient busy = cluster.connect(0);
            busy.send(Map.of("type", "subscribe", "channel", "news:busy"));
            busy.nextOfType("subscribed");
            TestClient quiet = cluster.connect(0);
            quiet.send(Map.of("type", "subscribe", "channel", "news:quiet"));
            quiet.nextOfType("subscribed");
            for (int n = 1; n <= 3; n++) {
                publisher.broadcast("news:busy", Map.of("type", "item", "n", n));
                publisher.broadcast("news:quiet", Map.of("type", "item", "n", n));
            }
            assertEquals(List.of(1, 2, 3), items(busy, 3));
            assertEquals(List.of(1, 2, 3), items(quiet, 3));

            int connections = proxy.accepted();
            proxy.cut();
            // Published while the node is cut off: its pub/sub never sees these.
            for (int n = 4; n <= 10; n++) {
                publisher.broadcast("news:busy", Map.of("type", "item", "n", n));
                publisher.broadcast("news:quiet", Map.of("type", "item", "n", n));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> proxy.accepted() >= connections + 2);
            // The quiet channel gets nothing more: the node must notice on its own after the reconnect.
            assertEquals(List.of(4, 5, 6, 7, 8, 9, 10), items(quiet, 7));
            // The busy one also sees a newer message arrive live after the gap.
            publisher.broadcast("news:busy", Map.of("type", "item", "n", 11));
            assertEquals(List.of(4, 5, 6, 7, 8, 9, 10, 11), items(busy, 8));
            busy.sendAndAwaitReply(Map.of("type", "ping"));
            assertEquals(11, busy.received().stream().filter(m -> "item".equals(m.path("type").asText())).count(),
                    "each once");
        }
    }
}
