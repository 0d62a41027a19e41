package com.aegisx.ws.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.StalledReader;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On a latest-value channel a stalled reader is not cut off: while it is behind it gets the newest
 * message instead of every one, in order, and is not disconnected; the others get every message.
 */
class ConflationIT {

    private static final int MESSAGES = 3000;

    @Test
    void aStalledReaderOfALatestValueChannelGetsTheNewestAndStaysConnected() throws Exception {
        Map<String, String> env = Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "65536", "WEBSOCKET_MAX_PAYLOAD", "4096",
                "CONFLATE_CHANNELS", "dash:**", "CONFLATE_QUEUE_BYTES", "16384", "HISTORY_RULES", "");
        try (TestCluster cluster = TestCluster.start(1, env);
             RawWsClient stalled = StalledReader.stallThenFlood(cluster, "dash:load", MESSAGES)) {
            stalled.resumeReading();
            List<Integer> seen = new ArrayList<>();
            while (seen.isEmpty() || seen.get(seen.size() - 1) != MESSAGES - 1) {
                JsonNode message = stalled.readTextJson(Duration.ofSeconds(20));
                if ("tick".equals(message.path("type").asText())) {
                    seen.add(message.path("seq").asInt());
                }
            }
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(seen.get(i) > seen.get(i - 1), "newer each time: " + seen.get(i - 1) + " then " + seen.get(i));
            }
            assertTrue(seen.size() < MESSAGES, "conflated: " + seen.size() + " of " + MESSAGES);
            assertEquals(0, cluster.node(0).counters().slowConsumers.get(), "not closed as a slow consumer");
            stalled.sendJson(Map.of("type", "ping", "id", "still"));
            JsonNode pong = stalled.readTextJson();
            assertEquals("pong", pong.path("type").asText(), "still connected");
        }
    }

    @Test
    void aStalledReaderThatAlsoHasAQuietHistoryChannelIsConflatedToo() throws Exception {
        Map<String, String> env = Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "65536", "WEBSOCKET_MAX_PAYLOAD", "4096",
                "CONFLATE_CHANNELS", "dash:**", "CONFLATE_QUEUE_BYTES", "16384", "HISTORY_RULES", "quiet:**=10");
        try (TestCluster cluster = TestCluster.start(1, env);
             RawWsClient stalled = com.aegisx.ws.server.testing.RawWsClient.builder(cluster.uri(0, "/ws"))
                     .receiveBufferSize(4096).connect()) {
            stalled.readTextJson();
            // A history channel nothing is published on: its subscribe replays (nothing) and is done.
            stalled.sendJson(Map.of("type", "subscribe", "channel", "quiet:x"));
            assertEquals("subscribed", stalled.readTextJson().path("type").asText());
            stalled.sendJson(Map.of("type", "subscribe", "channel", "dash:load"));
            assertEquals("subscribed", stalled.readTextJson().path("type").asText());
            stalled.suspendReading();
            String padding = "x".repeat(1000);
            for (int i = 0; i < MESSAGES; i++) {
                cluster.publisher().async().broadcast("dash:load", Map.of("type", "tick", "seq", i, "pad", padding));
            }
            cluster.publisher().broadcast("dash:load", Map.of("type", "tick", "seq", MESSAGES, "pad", padding));
            stalled.resumeReading();
            int last = -1;
            while (last != MESSAGES) {
                JsonNode message = stalled.readTextJson(Duration.ofSeconds(20));
                if ("tick".equals(message.path("type").asText())) {
                    last = message.path("seq").asInt();
                }
            }
            assertEquals(0, cluster.node(0).counters().slowConsumers.get(), "not closed as a slow consumer");
        }
    }
}
