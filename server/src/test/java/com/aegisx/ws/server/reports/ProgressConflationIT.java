package com.aegisx.ws.server.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.RawWsClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The progress route (delivered through its interceptor) on a latest-value channel: a stalled
 * watcher of a busy report is conflated to the newest status instead of being closed as a slow
 * consumer, and still gets the terminal events (the completed status, then report_completed).
 */
class ProgressConflationIT {

    private static final int UPDATES = 3000;

    @Test
    void aStalledProgressWatcherIsConflatedToTheNewestStatusAndGetsTheTerminalEvents() throws Exception {
        Map<String, String> env = Map.of("WEBSOCKET_MAX_OUTBOUND_BYTES", "65536", "WEBSOCKET_MAX_PAYLOAD", "4096",
                "CONFLATE_CHANNELS", "reports:progress:**", "CONFLATE_QUEUE_BYTES", "16384");
        String reportId = "report-" + UUID.randomUUID();
        try (TestCluster cluster = TestCluster.start(1, env, ReportRoutes.all());
             ReportProducer producer = ReportProducer.connect(cluster.redisUrl(),
                     PublisherOptions.builder().keyPrefix(cluster.prefix()).build())) {
            producer.register(reportId, null, null);
            try (RawWsClient stalled = RawWsClient.builder(cluster.uri(0, "/api/v1/reports/progress/" + reportId))
                    .receiveBufferSize(4096).connect()) {
                assertEquals("welcome", stalled.readTextJson().path("type").asText());
                assertEquals("pending", stalled.readTextJson().path("data").path("status").asText());
                stalled.suspendReading();
                String padding = "x".repeat(1000);
                for (int i = 1; i <= UPDATES; i++) {
                    producer.progress(reportId, i * 99 / UPDATES, padding + i);
                }
                producer.complete(reportId, "/download/" + reportId, "pdf", 1);
                stalled.resumeReading();

                List<JsonNode> statuses = new ArrayList<>();
                JsonNode message;
                while (!"report_completed".equals((message = stalled.readTextJson(Duration.ofSeconds(20)))
                        .path("type").asText())) {
                    assertEquals("report_status", message.path("type").asText(), message.toString());
                    statuses.add(message);
                }
                for (int i = 1; i < statuses.size(); i++) {
                    assertTrue(statuses.get(i).path("seq").asLong() > statuses.get(i - 1).path("seq").asLong(),
                            "newer each time: " + statuses.get(i - 1).path("seq") + " then " + statuses.get(i).path("seq"));
                }
                assertTrue(statuses.size() < UPDATES, "conflated: " + statuses.size() + " of " + UPDATES);
                JsonNode last = statuses.get(statuses.size() - 1).path("data");
                assertEquals("completed", last.path("status").asText(), "the terminal status is not replaced");
                assertEquals(reportId, message.path("data").path("reportId").asText());
                assertEquals(0, cluster.node(0).counters().slowConsumers.get(), "not closed as a slow consumer");
                stalled.sendJson(Map.of("type", "ping", "id", "still"));
                assertEquals("pong", stalled.readTextJson().path("type").asText(), "still connected");
            }
        }
    }
}
