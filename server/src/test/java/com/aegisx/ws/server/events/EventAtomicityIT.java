package com.aegisx.ws.server.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.TestCluster;
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
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each lifecycle event is written by the Lua script that makes the index change it reports, so no
 * writer can die between the two. Watched through MONITOR on the standalone Redis (the scripts are
 * the same on a Redis Cluster: one slot each, which the cluster run of LifecycleEventsIT exercises).
 */
class EventAtomicityIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    @RegisterExtension
    @Order(1)
    final TestCluster cluster = TestCluster.nodes(1).env("LIFECYCLE_EVENTS", "true").env("PRESENCE_GRACE", "300");
    @RegisterExtension
    @Order(2) // after the cluster's start, before its stop
    final EventLog log = new EventLog(cluster);

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
            String id = EventLog.idOf(dora);
            dora.sendAndAwaitReply(Map.of("type", "subscribe", "channel", "ward:7", "id", 1));
            dora.sendAndAwaitReply(Map.of("type", "unsubscribe", "channel", "ward:7", "id", 2));
            dora.close();
            await().atMost(WAIT).until(() -> log.count("dora", "user_offline") == 1);
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
}
