package com.aegisx.ws.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.server.testing.TestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A channel with many local members has its fan-out split across the dispatch workers
 * (DISPATCH_SPLIT_MIN_MEMBERS, here 4): on real sockets, on two nodes, every socket still gets
 * every message once and in order, and an excluded connection still gets nothing.
 */
class SplitFanOutIT {

    private static final int PER_NODE = 12;
    private static final int MESSAGES = 300;

    @RegisterExtension
    final TestCluster cluster = TestCluster.nodes(2)
            .env("DISPATCH_SPLIT_MIN_MEMBERS", "4")
            .env("DISPATCH_THREADS", "3");

    private List<TestClient> subscribers(String channel) {
        List<TestClient> clients = new ArrayList<>();
        for (int node = 0; node < 2; node++) {
            for (int i = 0; i < PER_NODE; i++) {
                TestClient client = cluster.connect(node);
                client.send(Map.of("type", "subscribe", "channel", channel));
                client.nextOfType("subscribed");
                clients.add(client);
            }
        }
        return clients;
    }

    @Test
    void everySocketOfASplitChannelGetsEveryMessageOnceInOrder() {
        List<TestClient> clients = subscribers("ward:big");
        for (int n = 1; n <= MESSAGES; n++) {
            cluster.publisher().broadcast("ward:big", Map.of("type", "tick", "n", n));
        }
        List<Integer> expected = IntStream.rangeClosed(1, MESSAGES).boxed().toList();
        for (TestClient client : clients) {
            assertEquals(expected, client.nextInts("tick", "n", MESSAGES, Duration.ofSeconds(20)), client.connectionId());
            client.assertNoMessage(Duration.ofMillis(50));
        }
        assertEquals(1, cluster.node(0).fanOut().splitTopics(), "the channel was split on node 0");
        assertEquals(1, cluster.node(1).fanOut().splitTopics(), "the channel was split on node 1");
    }

    @Test
    void anExcludedConnectionOfASplitChannelGetsNothing() {
        List<TestClient> clients = subscribers("ward:excluded");
        TestClient excluded = clients.get(3);
        cluster.manager(1).broadcast("ward:excluded", Map.of("type", "tick", "n", 1), excluded.connectionId());
        cluster.manager(1).broadcast("ward:excluded", Map.of("type", "tick", "n", 2));
        for (TestClient client : clients) {
            List<Integer> expected = client == excluded ? List.of(2) : List.of(1, 2);
            assertEquals(expected, client.nextInts("tick", "n", expected.size(), Duration.ofSeconds(10)));
        }
    }
}
