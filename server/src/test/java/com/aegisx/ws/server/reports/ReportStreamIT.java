package com.aegisx.ws.server.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The stream route on two nodes, fed by {@code DataStreamProducer}. */
class ReportStreamIT extends TwoNodeReportsBase {


    private static String newTemplate() {
        return "tpl-" + UUID.randomUUID();
    }

    private static TestClient stream(int node, String templateId) {
        return cluster.connect(node, "/api/v1/reports/stream/" + templateId, TestCluster.token("alice"));
    }

    private static void append(String templateId, String department, int value) {
        producer.streams().append(templateId, Map.of("department", department, "value", value));
    }

    private static List<Integer> values(JsonNode points) {
        List<Integer> out = new ArrayList<>();
        points.forEach(point -> out.add(point.path("value").asInt()));
        return out;
    }

    @Test
    void initialDataHoldsTheStoredPointsThenEachNewPointArrives() {
        String templateId = newTemplate();
        append(templateId, "sales", 1);
        append(templateId, "hr", 2);
        append(templateId, "sales", 3);

        TestClient client = stream(1, templateId);
        JsonNode initial = client.next();
        assertEquals("initial_data", initial.path("type").asText(), initial.toString());
        assertEquals(List.of(3, 2, 1), values(initial.path("data")), "newest first, as in the spec");
        assertTrue(initial.path("data").get(0).path("timestamp").asText().endsWith("Z"));

        append(templateId, "sales", 4);
        JsonNode update = client.next();
        assertEquals("data_update", update.path("type").asText());
        assertEquals(4, update.path("data").path("value").asInt());
        assertEquals("sales", update.path("data").path("department").asText());
        assertTrue(update.path("timestamp").asText().endsWith("Z"));
    }

    @Test
    void applyFilterIsAcknowledgedAndAppliesToInitialDataAndLaterUpdates() {
        String templateId = newTemplate();
        append(templateId, "sales", 1);
        append(templateId, "hr", 2);
        append(templateId, "sales", 3);
        TestClient client = stream(0, templateId);
        assertEquals(3, client.next().path("data").size());

        JsonNode ack = client.sendAndAwaitReply(Map.of("type", "apply_filter", "id", "f1",
                "filter", Map.of("department", "sales")));
        assertEquals("filter_applied", ack.path("type").asText(), ack.toString());
        assertEquals("sales", ack.path("data").path("filter").path("department").asText());
        JsonNode initial = client.next();
        assertEquals("initial_data", initial.path("type").asText());
        assertEquals(List.of(3, 1), values(initial.path("data")));

        append(templateId, "hr", 4);
        append(templateId, "sales", 5);
        JsonNode update = client.next();
        assertEquals(5, update.path("data").path("value").asInt(), "the hr point was filtered out: " + update);
        assertEquals("pong", client.sendAndAwaitReply(Map.of("type", "ping")).path("type").asText());
        assertTrue(client.received().stream().noneMatch(m -> m.path("data").path("value").asInt() == 4
                && "data_update".equals(m.path("type").asText())));

        JsonNode bad = client.sendAndAwaitReply(Map.of("type", "apply_filter", "filter", Map.of("a", List.of(1))));
        assertEquals(ErrorCodes.INVALID_FILTER, bad.path("code").asText());
    }

    @Test
    void withAnIntervalUpdatesAreAtLeastThatFarApartAndEveryPointIsDeliveredOrCounted() {
        String templateId = newTemplate();
        TestClient slow = stream(0, templateId);
        TestClient realtime = stream(1, templateId);
        assertEquals(0, slow.next().path("data").size());
        assertEquals(0, realtime.next().path("data").size());
        long interval = 500;
        JsonNode ack = slow.sendAndAwaitReply(Map.of("type", "update_interval", "interval", interval));
        assertEquals("interval_updated", ack.path("type").asText(), ack.toString());
        assertEquals(interval, ack.path("data").path("interval").asLong());

        int published = 0;
        List<JsonNode> updates = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        long accounted = 0;
        for (int burst = 0; burst < 3; burst++) {
            for (int i = 0; i < 10; i++) {
                append(templateId, "sales", ++published);
            }
            // Read until every point published so far is delivered or counted as skipped.
            while (accounted < published) {
                JsonNode update = slow.next();
                arrivals.add(System.nanoTime());
                assertEquals("data_update", update.path("type").asText(), update.toString());
                updates.add(update);
                accounted += 1 + update.path("skipped").asLong(0);
            }
        }
        assertEquals(published, accounted, "delivered + skipped is exactly what was published");
        assertEquals(published, updates.get(updates.size() - 1).path("data").path("value").asInt(),
                "conflation keeps the latest point");
        assertTrue(updates.size() < published, "points were conflated: " + updates.size());
        for (int i = 1; i < updates.size(); i++) {
            assertTrue(updates.get(i).path("data").path("value").asInt() > updates.get(i - 1).path("data").path("value").asInt());
            long gapMillis = (arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000;
            // Generous bound: server-side spacing is >= 500 ms; network jitter may shave a little.
            assertTrue(gapMillis >= interval * 6 / 10, "updates " + (i - 1) + " and " + i + " only " + gapMillis + " ms apart");
        }

        // The connection without an interval got every point, one by one.
        for (int value = 1; value <= published; value++) {
            JsonNode update = realtime.next();
            assertEquals(value, update.path("data").path("value").asInt());
            assertTrue(update.path("skipped").isMissingNode());
        }
    }

    @Test
    void badIntervalsAndTemplateIdsGetTheirErrors() {
        TestClient client = stream(0, newTemplate());
        client.next();
        assertEquals(ErrorCodes.INVALID_INTERVAL,
                client.sendAndAwaitReply(Map.of("type", "update_interval", "interval", 50)).path("code").asText());
        assertEquals(ErrorCodes.INVALID_INTERVAL,
                client.sendAndAwaitReply(Map.of("type", "update_interval", "interval", 60_001)).path("code").asText());
        assertEquals(ErrorCodes.MISSING_FIELD,
                client.sendAndAwaitReply(Map.of("type", "update_interval")).path("code").asText());
        assertEquals("interval_updated",
                client.sendAndAwaitReply(Map.of("type", "update_interval", "interval", 0)).path("type").asText());

        TestClient bad = TestClient.connect(cluster.uri(1, "/api/v1/reports/stream/bad!tpl"));
        assertEquals(ErrorCodes.INVALID_TEMPLATE_ID, bad.next().path("code").asText());
        assertEquals(CloseCodes.POLICY_VIOLATION, bad.awaitClose().statusCode());
    }
}
