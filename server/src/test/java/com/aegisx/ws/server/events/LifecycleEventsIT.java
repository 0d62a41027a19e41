package com.aegisx.ws.server.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.events.LifecycleEvent;
import com.aegisx.ws.client.events.LifecycleEventConsumer;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.NodeProcess;
import com.aegisx.ws.server.testing.RedisFixture;
import com.aegisx.ws.server.testing.TestClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lifecycle stream with two real nodes, read through the publisher client's consumer helper. */
class LifecycleEventsIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private TestCluster cluster;
    private LifecycleEventConsumer consumer;
    private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        cluster = TestCluster.start(2, Map.of("LIFECYCLE_EVENTS", "true", "PRESENCE_GRACE", "700"));
        consumer = LifecycleEventConsumer.start(cluster.redisUrl(), cluster.keys(), "it", "it-1", events::add, true);
    }

    @AfterEach
    void stop() {
        if (consumer != null) {
            consumer.close();
        }
        cluster.close();
    }

    private List<String> typesOf(String userId) {
        return events.stream().filter(e -> userId.equals(e.userId())).map(LifecycleEvent::type).toList();
    }

    private long count(String userId, String type) {
        return typesOf(userId).stream().filter(type::equals).count();
    }

    private static String idOf(TestClient client) {
        return client.sendAndAwaitReply(Map.of("type", "get_status", "id", "s")).path("data").path("connectionId").asText();
    }

    @Test
    void connectSubscribeReconnectAndLeaveGiveOneEventEachAndOnePresencePair() {
        TestClient first = cluster.connectAs(0, "alice");
        String firstId = idOf(first);
        first.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:5", "id", 1));
        first.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "ward:5", "id", 2));
        first.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:6", "id", 3));
        await().atMost(WAIT).until(() -> typesOf("alice").size() == 5);
        // A connection's events are in the order of its operations (one shard); the user's are in the user's shard.
        assertEquals(List.of("connected", "subscribed", "unsubscribed", "subscribed"), events.stream()
                .filter(e -> firstId.equals(e.connectionId()) && !e.type().startsWith("user_"))
                .map(LifecycleEvent::type).toList());
        assertEquals(1, count("alice", "user_online"));

        // A quick reconnect (within PRESENCE_GRACE), on the other node: no offline/online pair.
        first.sendClose(4100, "page reload");
        TestClient second = cluster.connectAs(1, "alice");
        await().atMost(WAIT).until(() -> count("alice", "disconnected") == 1 && count("alice", "connected") == 2);
        LifecycleEvent disconnected = events.stream().filter(e -> "disconnected".equals(e.type())).findFirst().orElseThrow();
        assertEquals(firstId, disconnected.connectionId());
        assertEquals(4100, disconnected.code());
        assertEquals("page reload", disconnected.reason());
        assertEquals("ward:6", disconnected.fields().get("channels"));

        second.close();
        await().atMost(WAIT).until(() -> count("alice", "user_offline") == 1);
        assertEquals(1, count("alice", "user_online"), typesOf("alice").toString());
        assertEquals(2, count("alice", "disconnected"));
    }

    @Test
    void aDeadNodesSocketsAreReportedOnceBySweepingAndTheUserGoesOffline() throws Exception {
        // The victim runs in a child JVM and gets a real kill -9: its sockets are left to the sweep.
        try (NodeProcess victim = cluster.startProcess("victim")) {
            TestClient bob = TestClient.connect(victim.uri("/ws"), Map.of("Authorization", "Bearer " + TestCluster.token("bob")));
            bob.nextOfType("welcome");
            String bobId = idOf(bob);
            await().atMost(WAIT).until(() -> count("bob", "user_online") == 1);
            victim.kill();
            await().atMost(WAIT).until(() -> count("bob", "user_offline") == 1);
            List<LifecycleEvent> gone = events.stream().filter(e -> "disconnected".equals(e.type())).toList();
            assertEquals(1, gone.size(), gone.toString());
            assertEquals(bobId, gone.get(0).connectionId());
            assertEquals(1006, gone.get(0).code());
            String by = gone.get(0).fields().get("by");
            assertTrue(by.equals(cluster.node(0).nodeId()) || by.equals(cluster.node(1).nodeId()),
                    "written by a sweeping node: " + by);
        }
    }

    @Test
    void everyEventIsWrittenInsideTheScriptThatMakesItsIndexChange() throws Exception {
        // MONITOR lists what each client runs, and a script's own commands as "[0 lua]": an event
        // written by a separate command (lost if its writer dies after the index change) shows up
        // with the node's address instead.
        RedisFixture redis = (RedisFixture) cluster.backend();
        List<String> seen = new CopyOnWriteArrayList<>();
        try (Socket monitor = new Socket(redis.host(), redis.port())) {
            monitor.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            BufferedReader lines = new BufferedReader(new InputStreamReader(monitor.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("+OK", lines.readLine());
            Thread reader = new Thread(() -> {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.contains(cluster.prefix() + ":")) {
                            seen.add(line);
                        }
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "monitor");
            reader.setDaemon(true);
            reader.start();

            TestClient dora = cluster.connectAs(0, "dora");
            String id = idOf(dora);
            dora.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:7", "id", 1));
            dora.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "ward:7", "id", 2));
            dora.close();
            await().atMost(WAIT).until(() -> count("dora", "user_offline") == 1);
            await().atMost(WAIT).until(() -> seen.stream().filter(line -> line.contains("\"user_offline\"")).count() == 1);

            List<String> xadds = seen.stream().filter(line -> line.contains("\"XADD\"")).toList();
            assertEquals(6, xadds.size(), "connected, user_online, subscribed, unsubscribed, disconnected, user_offline: "
                    + xadds);
            assertTrue(xadds.stream().allMatch(line -> line.contains("[0 lua]")), "every XADD runs in a script: " + xadds);
            // ... in the same script as the index change it reports: the command before it in that script.
            String conn = cluster.keys().connection(id);
            assertScriptWrites(seen, "\"HSET\" \"" + conn + "\"", "\"connected\"");
            assertScriptWrites(seen, "\"SADD\" \"" + cluster.keys().connectionChannels(id) + "\" \"ward:7\"",
                    "\"subscribed\"");
            assertScriptWrites(seen, "\"SREM\" \"" + cluster.keys().connectionChannels(id) + "\" \"ward:7\"",
                    "\"unsubscribed\"");
            assertScriptWrites(seen, "\"DEL\" \"" + conn + "\"", "\"disconnected\"");
            assertScriptWrites(seen, "\"HSET\" \"" + cluster.keys().userConnections("dora") + "\"", "\"user_online\"");
            assertScriptWrites(seen, "\"ZREM\" \"" + cluster.keys().offlineDue(KeySchema.shardOf("dora")) + "\"",
                    "\"user_offline\"");
        }
    }

    /** The event's XADD follows {@code change} in one script run: only "[0 lua]" lines between them. */
    private static void assertScriptWrites(List<String> seen, String change, String eventType) {
        int event = -1;
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).contains("\"XADD\"") && seen.get(i).contains(eventType)) {
                event = i;
            }
        }
        assertTrue(event > 0, eventType + " written: " + seen);
        for (int i = event - 1; i >= 0 && seen.get(i).contains("[0 lua]"); i--) {
            if (seen.get(i).contains(change)) {
                return;
            }
        }
        throw new AssertionError(eventType + " is not in the script that made the change " + change + ": " + seen);
    }

    @Test
    void aUserOfflineDueWhileItsNodeDiesIsStillWrittenOnce() throws Exception {
        // The victim's grace period outlives it: the pending offline must not live on the victim.
        try (NodeProcess victim = cluster.startProcess("victim2", Map.of("PRESENCE_GRACE", "3000"))) {
            TestClient erin = TestClient.connect(victim.uri("/ws"), Map.of("Authorization", "Bearer " + TestCluster.token("erin")));
            erin.nextOfType("welcome");
            await().atMost(WAIT).until(() -> count("erin", "user_online") == 1);
            erin.close();
            await().atMost(WAIT).until(() -> count("erin", "disconnected") == 1);
            victim.kill(); // within the 3 s: the offline is due later, and the victim is gone
            await().atMost(WAIT).until(() -> count("erin", "user_offline") == 1);
            LifecycleEvent offline = events.stream()
                    .filter(e -> "erin".equals(e.userId()) && "user_offline".equals(e.type())).findFirst().orElseThrow();
            String by = offline.fields().get("by");
            assertTrue(by.equals(cluster.node(0).nodeId()) || by.equals(cluster.node(1).nodeId()),
                    "written by a surviving node: " + by);
            assertEquals(0L, cluster.redis().zcard(cluster.keys().offlineDue(KeySchema.shardOf("erin"))));
            assertEquals(1, count("erin", "user_offline"));
        }
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
