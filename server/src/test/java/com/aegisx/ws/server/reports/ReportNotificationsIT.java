package com.aegisx.ws.server.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The notifications route on two nodes, fed by the {@code Notifications} helpers. */
class ReportNotificationsIT extends TwoNodeReportsBase {

    private static final String PATH = "/api/v1/reports/notifications";

    private static TestClient notifications(int node, String user) {
        return cluster.connect(node, PATH, user == null ? null : TestCluster.token(user));
    }

    @Test
    void aNotificationsSocketThatResumesElsewhereGetsTheAlertsItMissed() {
        TestClient first = notifications(0, "nora");
        String token = first.received().stream().filter(m -> "welcome".equals(m.path("type").asText())).findFirst()
                .orElseThrow().path("data").path("resumeToken").asText();
        producer.notifications().systemAlert("info", "before", null);
        JsonNode seen = first.nextOfType("system_alert");
        JsonNode position = com.aegisx.ws.protocol.Json.object().put("offset", seen.path("offset").asLong())
                .put("epoch", seen.path("epoch").asText());
        first.close();
        first.awaitClose();
        // Published while the client was away (its node drained, its network dropped).
        producer.notifications().systemAlert("critical", "missed 1", null);
        producer.notifications().systemAlert("critical", "missed 2", null);

        // Back on another node: the route subscribes reports:alerts again by itself, at its top.
        TestClient again = notifications(1, "nora");
        again.send(Map.of("type", "resume", "token", token, "positions", Map.of("reports:alerts", position)));
        assertEquals("missed 1", again.nextOfType("system_alert").path("data").path("message").asText());
        assertEquals("missed 2", again.nextOfType("system_alert").path("data").path("message").asText());
        JsonNode resumed = again.nextOfType("resumed");
        assertTrue(resumed.path("channels").toString().contains("reports:alerts"), resumed.toString());
    }

    @Test
    void socketsAreAutoSubscribedToTheSpecChannels() {
        TestClient alice = notifications(0, "alice-auto");
        JsonNode status = alice.sendAndAwaitReply(Map.of("type", "get_status"));
        assertEquals("[\"reports:alerts\",\"reports:maintenance\",\"reports:system\",\"user:alice-auto:reports\"]",
                status.path("data").path("channels").toString());
        TestClient anonymous = notifications(1, null);
        assertEquals("[\"reports:alerts\",\"reports:maintenance\",\"reports:system\"]",
                anonymous.sendAndAwaitReply(Map.of("type", "get_status")).path("data").path("channels").toString());
    }

    @Test
    void userReportNotificationsReachOnlyThatUsersSocketsAndSystemNoticesReachEverySocket() {
        TestClient aliceA = notifications(0, "alice");
        TestClient aliceB = notifications(1, "alice");
        TestClient bob = notifications(1, "bob");
        TestClient anonymous = notifications(0, null);
        List<TestClient> everyone = List.of(aliceA, aliceB, bob, anonymous);

        assertEquals(2, producer.notifications().reportNotification("alice", "report-1", "Your report is ready", null),
                "both nodes hold a socket of alice");
        for (TestClient client : List.of(aliceA, aliceB)) {
            JsonNode note = client.next();
            assertEquals("report_notification", note.path("type").asText(), note.toString());
            assertEquals("report-1", note.path("data").path("reportId").asText());
            assertEquals("Your report is ready", note.path("data").path("message").asText());
            assertEquals("user:alice:reports", note.path("channel").asText());
        }

        producer.notifications().systemAlert("warning", "Report generation service experiencing high load",
                "Consider scheduling reports for off-peak hours");
        for (TestClient client : everyone) {
            // For bob and the anonymous socket this is also the proof that alice's notice never came.
            JsonNode alert = client.next();
            assertEquals("system_alert", alert.path("type").asText(), alert.toString());
            assertEquals("warning", alert.path("data").path("level").asText());
            assertEquals("Report generation service experiencing high load", alert.path("data").path("message").asText());
            assertEquals("Consider scheduling reports for off-peak hours", alert.path("data").path("action").asText());
            assertEquals("reports:alerts", alert.path("channel").asText());
        }

        Instant start = Instant.parse("2024-01-07T11:00:00Z");
        producer.notifications().maintenanceNotice("Scheduled maintenance in 30 minutes", start,
                Duration.ofMinutes(30), List.of("report-generation", "data-sources"));
        producer.notifications().systemNotice(Map.of("type", "report_system_status", "data", Map.of("queue", 3)));
        for (TestClient client : everyone) {
            // Two topics (reports:maintenance, reports:system): the product keeps order only within
            // one channel (README, DISPATCH_THREADS), and on Redis Cluster each is a different shard's
            // pub/sub connection, so the two may arrive in either order. Both must arrive, once each.
            Map<String, JsonNode> byType = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                JsonNode message = client.next();
                assertNull(byType.put(message.path("type").asText(), message), "twice: " + message);
            }
            JsonNode notice = byType.get("maintenance_notice");
            assertNotNull(notice, byType.toString());
            assertEquals("Scheduled maintenance in 30 minutes", notice.path("data").path("message").asText());
            assertEquals("2024-01-07T11:00:00.000Z", notice.path("data").path("startTime").asText());
            assertEquals("PT30M", notice.path("data").path("duration").asText());
            assertEquals("[\"report-generation\",\"data-sources\"]", notice.path("data").path("affectedServices").toString());
            assertTrue(notice.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
            JsonNode system = byType.get("report_system_status");
            assertNotNull(system, byType.toString());
            assertEquals("reports:system", system.path("channel").asText());
        }
    }

    @Test
    void aCompletedReportIsAnnouncedToItsOwnersNotificationsSockets() {
        TestClient owner = notifications(1, "carol");
        TestClient other = notifications(0, "dave");
        String reportId = "report-notify-" + System.nanoTime();
        producer.register(reportId, "carol", null);
        producer.complete(reportId, "/api/v1/reports/download/" + reportId, "xlsx", 2048);
        JsonNode completed = owner.next();
        assertEquals("report_completed", completed.path("type").asText(), completed.toString());
        assertEquals(reportId, completed.path("data").path("reportId").asText());
        producer.notifications().systemNotice(Map.of("type", "marker"));
        assertEquals("marker", other.next().path("type").asText(), "dave got nothing of carol's");
    }
}
