package com.aegisx.ws.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.server.testing.RawWsClient;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stalled-reader scenario both outbound policies are tested with (the bounded queue's
 * slow-consumer close, and conflation): one socket subscribes and stops reading, a healthy one
 * subscribes too, and padded, numbered ticks are broadcast until the healthy socket has every one,
 * in order.
 */
public final class StalledReader {

    private StalledReader() {
    }

    /** Returns the stalled client (reading suspended; the caller closes it) once the healthy one has all ticks. */
    public static RawWsClient stallThenFlood(TestCluster cluster, String channel, int messages) throws Exception {
        RawWsClient stalled = RawWsClient.builder(cluster.uri(0, "/ws")).receiveBufferSize(4096).connect();
        try {
            stalled.readTextJson();
            stalled.sendJson(Map.of("type", "subscribe", "channel", channel));
            assertEquals("subscribed", stalled.readTextJson().path("type").asText());
            stalled.suspendReading();

            TestClient healthy = cluster.connect(0);
            healthy.send(Map.of("type", "subscribe", "channel", channel));
            healthy.nextOfType("subscribed");

            String padding = "x".repeat(1000);
            for (int i = 0; i < messages; i++) {
                cluster.publisher().async().broadcast(channel, Map.of("type", "tick", "seq", i, "pad", padding));
            }
            AtomicInteger next = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode message;
                while ((message = healthy.poll(Duration.ofMillis(10))) != null) {
                    if ("tick".equals(message.path("type").asText())) {
                        assertEquals(next.getAndIncrement(), message.path("seq").asInt(), "in order, none lost");
                    }
                }
                return next.get() == messages;
            });
            return stalled;
        } catch (Exception | AssertionError e) {
            stalled.close();
            throw e;
        }
    }
}
