package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A client that stops reading is cut off at its queue bound; everybody else gets every message. */
class SlowConsumerIT {

    private static final int MESSAGES = 3000;

    @Test
    void aStalledReaderIsClosedWith4000AndDoesNotSlowTheOthers() throws Exception {
        Map<String, String> small = Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "65536", "WEBSOCKET_MAX_PAYLOAD", "4096");
        try (TestCluster cluster = TestCluster.start(1, small);
             RawWsClient stalled = RawWsClient.builder(cluster.uri(0, "/ws")).receiveBufferSize(4096).connect()) {
            stalled.readTextJson();
            stalled.sendJson(Map.of("type", "subscribe", "channel", "firehose"));
            assertEquals("subscribed", stalled.readTextJson().path("type").asText());
            stalled.suspendReading();

            TestClient healthy = cluster.connect(0);
            healthy.send(Map.of("type", "subscribe", "channel", "firehose"));
            healthy.nextOfType("subscribed");

            String padding = "x".repeat(1000);
            for (int i = 0; i < MESSAGES; i++) {
                cluster.publisher().async().broadcast("firehose", Map.of("type", "tick", "seq", i, "pad", padding));
            }
            AtomicInteger next = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode message;
                while ((message = healthy.poll(Duration.ofMillis(10))) != null) {
                    if ("tick".equals(message.path("type").asText())) {
                        assertEquals(next.getAndIncrement(), message.path("seq").asInt(), "in order, none lost");
                    }
                }
                return next.get() == MESSAGES;
            });

            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(0).counters().slowConsumers.get() == 1);
            stalled.resumeReading();
            int code = stalled.awaitClose(Duration.ofSeconds(20));
            assertEquals(CloseCodes.SLOW_CONSUMER, code, "the close frame waits behind the queued data");
            await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(0).hub().size() == 1);
        }
    }
}
