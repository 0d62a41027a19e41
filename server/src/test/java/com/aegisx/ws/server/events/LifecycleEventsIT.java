package com.aegisx.ws.server.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.events.LifecycleEvent;
import com.aegisx.ws.client.events.LifecycleEventConsumer;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.TestClient;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The lifecycle stream with two real nodes, read through the publisher client's consumer helper. */
class LifecycleEventsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    @RegisterExtension
    @Order(1)
    final TestCluster cluster = TestCluster.nodes(2).env("LIFECYCLE_EVENTS", "true").env("PRESENCE_GRACE", "700");
    @RegisterExtension
    @Order(2) // after the cluster's start, before its stop
    final EventLog log = new EventLog(cluster);

    @Test
    void connectSubscribeReconnectAndLeaveGiveOneEventEachAndOnePresencePair() {
        TestClient first = cluster.connectAs(0, "alice");
        String firstId = EventLog.idOf(first);
        first.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:5", "id", 1));
        first.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "ward:5", "id", 2));
        first.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:6", "id", 3));
        await().atMost(WAIT).until(() -> log.typesOf("alice").size() == 5);
        // A connection's events are in the order of its operations (one shard); the user's are in the user's shard.
        assertEquals(List.of("connected", "subscribed", "unsubscribed", "subscribed"), log.all().stream()
                .filter(e -> firstId.equals(e.connectionId()) && !e.type().startsWith("user_"))
                .map(LifecycleEvent::type).toList());
        assertEquals(1, log.count("alice", "user_online"));

        // A quick reconnect (within PRESENCE_GRACE), on the other node: no offline/online pair.
        first.sendClose(4100, "page reload");
        TestClient second = cluster.connectAs(1, "alice");
        await().atMost(WAIT).until(() -> log.count("alice", "disconnected") == 1 && log.count("alice", "connected") == 2);
        LifecycleEvent disconnected = log.all().stream().filter(e -> "disconnected".equals(e.type())).findFirst().orElseThrow();
        assertEquals(firstId, disconnected.connectionId());
        assertEquals(4100, disconnected.code());
        assertEquals("page reload", disconnected.reason());
        assertEquals("ward:6", disconnected.fields().get("channels"));

        // Each subscribed has its unsubscribed: ward:6 went with the socket, just before its disconnected.
        assertEquals(List.of("connected", "subscribed", "unsubscribed", "subscribed", "unsubscribed", "disconnected"),
                log.all().stream().filter(e -> firstId.equals(e.connectionId()) && !e.type().startsWith("user_"))
                        .map(LifecycleEvent::type).toList());
        second.close();
        await().atMost(WAIT).until(() -> log.count("alice", "user_offline") == 1);
        assertEquals(1, log.count("alice", "user_online"), log.typesOf("alice").toString());
        assertEquals(2, log.count("alice", "disconnected"));
    }

    @Test
    void aDeadNodesSocketsAreReportedOnceBySweepingAndTheUserGoesOffline() throws Exception {
        // The victim runs in a child JVM and gets a real kill -9: its sockets are left to the sweep.
        try (NodeProcess victim = cluster.startProcess("victim")) {
            TestClient bob = TestClient.connect(victim.uri("/ws"), Map.of("Authorization", "Bearer " + TestCluster.token("bob")));
            bob.nextOfType("welcome");
            String bobId = EventLog.idOf(bob);
            await().atMost(WAIT).until(() -> log.count("bob", "user_online") == 1);
            victim.kill();
            await().atMost(WAIT).until(() -> log.count("bob", "user_offline") == 1);
            List<LifecycleEvent> gone = log.all().stream().filter(e -> "disconnected".equals(e.type())).toList();
            assertEquals(1, gone.size(), gone.toString());
            assertEquals(bobId, gone.get(0).connectionId());
            assertEquals(1006, gone.get(0).code());
            String by = gone.get(0).fields().get("by");
            assertTrue(by.equals(cluster.node(0).nodeId()) || by.equals(cluster.node(1).nodeId()),
                    "written by a sweeping node: " + by);
        }
    }

    @Test
    void aUserOfflineDueWhileItsNodeDiesIsStillWrittenOnce() throws Exception {
        // The victim's grace period outlives it: the pending offline must not live on the victim.
        try (NodeProcess victim = cluster.startProcess("victim2", Map.of("PRESENCE_GRACE", "3000"))) {
            TestClient erin = TestClient.connect(victim.uri("/ws"), Map.of("Authorization", "Bearer " + TestCluster.token("erin")));
            erin.nextOfType("welcome");
            await().atMost(WAIT).until(() -> log.count("erin", "user_online") == 1);
            erin.close();
            await().atMost(WAIT).until(() -> log.count("erin", "disconnected") == 1);
            victim.kill(); // within the 3 s: the offline is due later, and the victim is gone
            await().atMost(WAIT).until(() -> log.count("erin", "user_offline") == 1);
            LifecycleEvent offline = log.all().stream()
                    .filter(e -> "erin".equals(e.userId()) && "user_offline".equals(e.type())).findFirst().orElseThrow();
            String by = offline.fields().get("by");
            assertTrue(by.equals(cluster.node(0).nodeId()) || by.equals(cluster.node(1).nodeId()),
                    "written by a surviving node: " + by);
            assertEquals(0L, cluster.redis().zcard(cluster.keys().offlineDue(KeySchema.shardOf("erin"))));
            assertEquals(1, log.count("erin", "user_offline"));
        }
    }

    @Test
    void aReservationLeftByACrashedNodeDoesNotKeepTheUserOnline() {
        // A node that died between a connection's reservation and its registration left this entry,
        // in no node's connection set: no sweep removes it.
        cluster.redis().hset(cluster.keys().userConnections("gus"), "ws_ghost-node_x", "ghost-node");
        TestClient gus = cluster.connectAs(1, "gus");
        await().atMost(WAIT).until(() -> log.count("gus", "user_online") == 1);
        assertEquals(1, cluster.publisher().getOnlineUserCount());
        gus.close();
        await().atMost(WAIT).until(() -> log.count("gus", "user_offline") == 1);
        assertEquals(0, cluster.publisher().getOnlineUserCount());
    }

    @Test
    void anEventWhoseHandlerFailedIsDeliveredAgain() {
        AtomicInteger attempts = new AtomicInteger();
        List<String> handled = new CopyOnWriteArrayList<>();
        try (LifecycleEventConsumer flaky = LifecycleEventConsumer.start(cluster.redisUrl(), cluster.keys(), "flaky",
                "flaky-1", event -> {
                    if ("connected".equals(event.type()) && attempts.getAndIncrement() == 0) {
                        throw new IllegalStateException("database down");
                    }
                    handled.add(event.type());
                })) {
            cluster.connect(0);
            await().atMost(WAIT).until(() -> handled.contains("connected"));
            assertTrue(attempts.get() >= 2);
        }
    }
}
