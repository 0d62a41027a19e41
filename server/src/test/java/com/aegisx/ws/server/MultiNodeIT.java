package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.ConnectionInfo;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What goes in on one node comes out on another: two real nodes sharing one Redis. */
class MultiNodeIT {

    private static final Duration QUIET = Duration.ofMillis(300);

    private TestCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2);
    }

    @AfterEach
    void stop() {
        cluster.close();
    }


    private static void subscribe(TestClient client, String channel) {
        client.send(Map.of("type", "subscribe", "channel", channel));
        JsonNode reply = client.nextOfType("subscribed");
        assertEquals(channel, reply.path("channel").asText());
    }

    @Test
    void broadcastFromEveryKindOfPublisherArrivesExactlyOnce() {
        TestClient onA = cluster.connect(0);
        subscribe(onA, "news:ward-1");

        assertEquals(1, cluster.manager(1).broadcast("news:ward-1", Map.of("type", "from_manager", "n", 1)));
        cluster.publisher().broadcast("news:ward-1", Map.of("type", "from_publisher", "n", 2));
        cluster.rawPublish(cluster.keys().channelTopic("news:ward-1"), "{\"type\":\"from_redis_cli\",\"n\":3}");

        JsonNode first = onA.next();
        JsonNode second = onA.next();
        JsonNode third = onA.next();
        assertEquals("from_manager", first.path("type").asText());
        assertEquals("from_publisher", second.path("type").asText());
        assertEquals("from_redis_cli", third.path("type").asText());
        for (JsonNode message : List.of(first, second, third)) {
            assertEquals("news:ward-1", message.path("channel").asText());
            assertTrue(message.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"),
                    message.toString());
        }
        onA.assertNoMessage(QUIET);
    }

    @Test
    void excludeSkipsExactlyThatConnection() {
        TestClient a1 = cluster.connect(0);
        TestClient a2 = cluster.connect(0);
        TestClient b1 = cluster.connect(1);
        for (TestClient client : List.of(a1, a2, b1)) {
            subscribe(client, "reports:progress");
        }
        cluster.manager(1).broadcast("reports:progress", Map.of("type", "tick"), a1.connectionId());
        assertEquals("tick", a2.nextOfType("tick").path("type").asText());
        assertEquals("tick", b1.nextOfType("tick").path("type").asText());
        a1.assertNoMessage(QUIET);
    }

    @Test
    void sendToUserReachesEverySocketOfThatUserAndNobodyElse() {
        TestClient aliceOnA = cluster.connectAs(0, "alice");
        TestClient aliceOnB = cluster.connectAs(1, "alice");
        TestClient bobOnA = cluster.connectAs(0, "bob");
        TestClient anonymous = cluster.connect(1);

        long nodes = cluster.manager(0).sendToUser("alice", Map.of("type", "user_notification", "message", "ready"));
        assertEquals(2, nodes);
        assertEquals("ready", aliceOnA.nextOfType("user_notification").path("message").asText());
        assertEquals("ready", aliceOnB.nextOfType("user_notification").path("message").asText());
        bobOnA.assertNoMessage(QUIET);
        anonymous.assertNoMessage(Duration.ZERO);

        cluster.rawPublish(cluster.keys().userTopic("bob"), "{\"type\":\"raw_to_user\"}");
        assertEquals("raw_to_user", bobOnA.next().path("type").asText());
        aliceOnA.assertNoMessage(QUIET);
    }

    @Test
    void sendToConnectionFromAnotherNodeReachesOneSocket() {
        TestClient target = cluster.connect(0);
        TestClient neighbour = cluster.connect(0);
        String id = target.connectionId();

        assertTrue(cluster.manager(1).sendToConnection(id, Map.of("type", "direct_message", "message", "hi")));
        JsonNode received = target.nextOfType("direct_message");
        assertEquals("hi", received.path("message").asText());
        assertNotNull(received.get("timestamp"));
        neighbour.assertNoMessage(QUIET);

        assertFalse(cluster.publisher().sendToConnection("ws_nosuchnode_abc", Map.of("type", "x")),
                "a connection on a node nobody runs cannot be reached");
    }

    @Test
    void managerSubscribesAndUnsubscribesASocketOnAnotherNode() {
        TestClient onA = cluster.connect(0);
        String id = onA.connectionId();

        assertTrue(cluster.manager(1).subscribeToChannel(id, "alerts:critical"));
        JsonNode subscribed = onA.nextOfType("subscribed");
        assertEquals("alerts:critical", subscribed.path("channel").asText());
        cluster.publisher().broadcast("alerts:critical", Map.of("type", "critical_alert"));
        assertEquals("critical_alert", onA.nextOfType("critical_alert").path("type").asText());

        assertTrue(cluster.manager(1).unsubscribeFromChannel(id, "alerts:critical"));
        onA.nextOfType("unsubscribed");
        cluster.publisher().broadcast("alerts:critical", Map.of("type", "critical_alert"));
        onA.assertNoMessage(QUIET);
    }

    @Test
    void membershipQueriesSeeBothNodesWithMetadata() {
        TestClient aliceOnA = cluster.connectAs(0, "alice");
        TestClient aliceOnB = cluster.connectAs(1, "alice");
        TestClient anonymousOnB = cluster.connect(1);
        subscribe(aliceOnA, "system:notifications");
        subscribe(aliceOnB, "system:notifications");
        subscribe(anonymousOnB, "system:notifications");
        Set<String> expected = Set.of(aliceOnA.connectionId(), aliceOnB.connectionId(), anonymousOnB.connectionId());

        for (int node = 0; node < 2; node++) {
            List<ConnectionInfo> members = cluster.manager(node).getConnectionsByChannel("system:notifications");
            assertEquals(expected, members.stream().map(ConnectionInfo::id).collect(Collectors.toSet()));
            List<ConnectionInfo> alice = cluster.manager(node).getConnectionsByUser("alice");
            assertEquals(2, alice.size());
            for (ConnectionInfo info : alice) {
                assertEquals("alice", info.userId());
                assertEquals(Set.of("system:notifications"), info.channels());
                assertNotNull(info.metadata().connectedAt());
                assertNotNull(info.metadata().ip());
                assertNotNull(info.metadata().userAgent());
                assertNotNull(info.lastActivity());
            }
            assertEquals(Set.of(cluster.node(0).nodeId(), cluster.node(1).nodeId()),
                    alice.stream().map(ConnectionInfo::nodeId).collect(Collectors.toSet()));
        }
        assertEquals(3, cluster.manager(0).getActiveConnections());
        assertEquals(3, cluster.publisher().getActiveConnections());
        assertEquals(1, cluster.manager(0).getLocalConnections());
    }

    @Test
    void aNodeWithoutSubscribersDoesNotListenToTheChannel() {
        TestClient onA = cluster.connect(0);
        subscribe(onA, "ward:7");
        String topic = cluster.keys().channelTopic("ward:7");
        assertEquals(1L, cluster.backend().subscribers(topic), "only node A listens");
        assertTrue(cluster.node(0).hub().topics().isSubscribed(topic));
        assertFalse(cluster.node(1).hub().topics().isSubscribed(topic));

        onA.send(Map.of("type", "unsubscribe", "channel", "ward:7"));
        onA.nextOfType("unsubscribed");
        await().atMost(Duration.ofSeconds(5)).until(() -> cluster.backend().subscribers(topic) == 0L);
    }
}
