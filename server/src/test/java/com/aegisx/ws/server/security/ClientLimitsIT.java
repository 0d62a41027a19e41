package com.aegisx.ws.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.reports.ReportRoutes;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
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
}
