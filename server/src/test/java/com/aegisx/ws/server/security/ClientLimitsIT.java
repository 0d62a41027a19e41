package com.aegisx.ws.server.security;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.reports.ReportRoutes;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Limits no client-initiated path may skip (issue 10, items 2 and 9). */
class ClientLimitsIT {

    /** Item 2: {@code subscribe_template} once added subscriptions past WEBSOCKET_MAX_SUBSCRIPTIONS. */
    @Test
    void subscribeTemplateCountsAgainstTheSubscriptionLimit() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_MAX_SUBSCRIPTIONS", "3"),
                ReportRoutes.all());
             ReportProducer producer = ReportProducer.connect(cluster.redisUrl(),
                     PublisherOptions.builder().keyPrefix(cluster.prefix()).build())) {
            producer.register("r-limit", "alice", "tpl-0");
            // The route subscribes the socket to the report's progress channel itself: one place used.
            TestClient client = cluster.connect(0, "/api/v1/reports/progress/r-limit", TestCluster.token("alice"));
            client.nextOfType("report_status");
            int subscribed = 0;
            int refused = 0;
            for (int i = 0; i < 5; i++) {
                JsonNode reply = client.sendAndAwaitReply(Map.of("type", "subscribe_template",
                        "templateId", "tpl-" + i, "id", i));
                if ("subscribed".equals(reply.path("type").asText())) {
                    subscribed++;
                } else {
                    assertEquals(ErrorCodes.SUBSCRIPTION_LIMIT, reply.path("code").asText(), reply.toString());
                    refused++;
                }
            }
            assertEquals(2, subscribed, "the progress channel and two templates fill the three places");
            assertEquals(3, refused);
            // A plain subscribe finds the limit reached as well: one count for every route.
            assertEquals(ErrorCodes.SUBSCRIPTION_LIMIT, client.sendAndAwaitReply(Map.of("type", "subscribe",
                    "channel", "ward:1", "id", "p")).path("code").asText());
        }
    }

    /**
     * Item 9: a client pacing itself just over the rate, one admitted frame between refusals, was
     * never closed (the count of refusals "in a row" reset each time). Now the refusals within the
     * window count: the fourth closes the socket with 4029.
     */
    @Test
    void aClientPacingJustOverTheRateIsClosed() throws Exception {
        try (TestCluster cluster = TestCluster.start(1, Map.of("WEBSOCKET_RATE_LIMIT", "5",
                "WEBSOCKET_RATE_BURST", "1", "WEBSOCKET_RATE_LIMIT_TOLERANCE", "3"))) {
            TestClient client = cluster.connect(0);
            int[] probe = {0};
            for (int round = 0; round < 20 && client.isOpen(); round++) {
                // Right behind an admitted frame the bucket is empty: this one is refused.
                if (!trySend(client, "flood-" + round)) {
                    break;
                }
                // Then wait, like a pacing client, until a frame is admitted again (a token every 200 ms).
                await().pollInterval(Duration.ofMillis(300)).atMost(Duration.ofSeconds(10)).until(() -> {
                    String id = "probe-" + probe[0]++;
                    if (!trySend(client, id)) {
                        return true; // closed meanwhile: what the test waits for
                    }
                    JsonNode reply;
                    while ((reply = client.poll(Duration.ofMillis(200))) != null) {
                        if (id.equals(reply.path("id").asText())) {
                            return true;
                        }
                    }
                    return false;
                });
            }
            assertEquals(CloseCodes.RATE_LIMITED, client.awaitClose().statusCode());
        }
    }

    /** A ping; false when the node has closed the socket meanwhile (sending then fails). */
    private static boolean trySend(TestClient client, String id) {
        try {
            client.send(Map.of("type", "ping", "id", id));
            return true;
        } catch (AssertionError closed) {
            return false;
        }
    }
}
