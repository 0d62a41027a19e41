package com.aegisx.ws.server.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.WsPublisher;
import com.aegisx.ws.client.events.LifecycleEvent;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node dies (kill -9) and nobody but the publisher client sweeps it: the surviving node's own
 * heartbeat (and so its sweep) is a minute away. Its sockets must still be reported exactly as a
 * node closing them would (disconnected, user_offline, presence_leave), and presence must not
 * count them while they wait for the sweep.
 */
class DeadNodeSweepIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    @RegisterExtension
    @Order(1)
    final TestCluster cluster = TestCluster.nodes(1).env("LIFECYCLE_EVENTS", "true").env("PRESENCE_GRACE", "300")
            .env("PRESENCE_CHANNELS", "room:*").env("NODE_HEARTBEAT_INTERVAL", "60000").env("NODE_HEARTBEAT_TIMEOUT", "120000");
    @RegisterExtension
    @Order(2) // after the cluster's start, before its stop
    final EventLog log = new EventLog(cluster);

    private static Set<String> users(JsonNode presence) {
        Set<String> users = new TreeSet<>();
        presence.path("members").forEach(m -> users.add(m.path("userId").asText()));
        return users;
    }

    @Test
    void thePublishersCleanupReportsADeadNodesSocketsOnceAndPresenceIgnoresThemMeanwhile() throws Exception {
        TestClient ann = cluster.connectAs(0, "ann");
        ann.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "room:1", "id", 1));
        assertEquals("ann", ann.nextOfType("presence_join").path("userId").asText());
        WsPublisher publisher = cluster.publisher();
        try (NodeProcess victim = cluster.startProcess("victim", Map.of(
                "NODE_HEARTBEAT_INTERVAL", "200", "NODE_HEARTBEAT_TIMEOUT", "1000"))) {
            String victimId = "victim-" + cluster.prefix();
            TestClient bob = TestClient.connect(victim.uri("/ws"), Map.of("Authorization", "Bearer " + TestCluster.token("bob")));
            bob.nextOfType("welcome");
            bob.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "room:1", "id", 1));
            assertEquals("bob", ann.nextOfType("presence_join").path("userId").asText());
            String bobId = ann.sendAndAwaitReply(Map.of("type", "presence", "channel", "room:1", "id", "p0"))
                    .path("members").findValues("connectionId").stream().map(JsonNode::asText)
                    .filter(id -> id.contains(victimId)).findFirst().orElseThrow();
            assertEquals(2, publisher.getOnlineUserCount());

            victim.kill();
            // Dead (its deadline passed) but not swept: presence leaves it out.
            await().atMost(WAIT).until(() -> {
                Double deadline = cluster.redis().zscore(cluster.keys().nodes(), victimId);
                return deadline != null && deadline < System.currentTimeMillis();
            });
            JsonNode presence = ann.sendAndAwaitReply(Map.of("type", "presence", "channel", "room:1", "id", "p1"));
            assertEquals(1, presence.path("count").asInt(), presence.toString());
            assertEquals(Set.of("ann"), users(presence));
            assertFalse(publisher.isUserOnline("bob"));
            assertTrue(log.of("bob", "disconnected").isEmpty(), "nobody swept it yet");

            publisher.cleanupInactiveConnections();
            JsonNode leave = ann.nextOfType("presence_leave");
            assertEquals("bob", leave.path("userId").asText());
            assertEquals(bobId, leave.path("connectionId").asText());
            await().atMost(WAIT).until(() -> log.of("bob", "user_offline").size() == 1);
            List<LifecycleEvent> gone = log.of("bob", "disconnected");
            assertEquals(1, gone.size(), gone.toString());
            assertEquals(bobId, gone.get(0).connectionId());
            assertEquals(1006, gone.get(0).code());
            assertEquals("room:1", gone.get(0).fields().get("channels"));
            assertTrue(gone.get(0).fields().get("by").startsWith("publisher-"), gone.get(0).toString());
            List<LifecycleEvent> left = log.of("bob", "unsubscribed");
            assertEquals(1, left.size(), left.toString());
            assertEquals("room:1", left.get(0).channel());
            assertEquals(gone.get(0).fields().get("by"), left.get(0).fields().get("by"));
            assertEquals(1, publisher.getOnlineUserCount());

            // A second cleanup finds nothing left to report.
            publisher.cleanupInactiveConnections();
            assertEquals(1, log.of("bob", "disconnected").size());
            assertEquals(1, log.of("bob", "user_offline").size());
            assertEquals(1, log.of("bob", "unsubscribed").size());
        }
    }
}
