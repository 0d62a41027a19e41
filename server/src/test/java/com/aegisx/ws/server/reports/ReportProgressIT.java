package com.aegisx.ws.server.reports;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.CancelRequest;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.client.reports.ReportStatus;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.TestCluster;
import com.aegisx.ws.server.testing.TestClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress route on two nodes, driven by a {@link ReportProducer} through Redis only. */
class ReportProgressIT extends TwoNodeReportsBase {


    private static String newReport() {
        return "report-" + UUID.randomUUID();
    }

    private static TestClient watch(int node, String reportId, String user, String... roles) {
        return cluster.connect(node, "/api/v1/reports/progress/" + reportId,
                user == null ? null : TestCluster.token(user, roles));
    }

    private static void assertStatus(JsonNode message, String reportId, String status, int progress, String text) {
        assertEquals("report_status", message.path("type").asText(), message.toString());
        assertEquals(reportId, message.path("data").path("reportId").asText());
        assertEquals(status, message.path("data").path("status").asText(), message.toString());
        assertEquals(progress, message.path("data").path("progress").asInt(), message.toString());
        if (text != null) {
            assertEquals(text, message.path("data").path("message").asText());
        }
        assertTrue(message.path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    }

    @Test
    void watchersSeeTheSequenceInOrderAndALateJoinerOnTheOtherNodeGetsTheCurrentStatusFirst() {
        String reportId = newReport();
        producer.register(reportId, "alice", "tpl-sales");
        TestClient early = watch(0, reportId, "alice");
        assertStatus(early.next(), reportId, "pending", 0, "Report queued");

        producer.progress(reportId, 10, "Loading data sources...");
        producer.progress(reportId, 40, "Aggregating...");
        assertStatus(early.next(), reportId, "running", 10, "Loading data sources...");
        assertStatus(early.next(), reportId, "running", 40, "Aggregating...");

        TestClient late = watch(1, reportId, "alice");
        assertStatus(late.next(), reportId, "running", 40, "Aggregating...");

        producer.progress(reportId, 75, "Generating charts and visualizations...");
        producer.complete(reportId, "/api/v1/reports/download/" + reportId, "pdf", 1_024_000);
        for (TestClient client : List.of(early, late)) {
            assertStatus(client.next(), reportId, "running", 75, "Generating charts and visualizations...");
            assertStatus(client.next(), reportId, "completed", 100, null);
            JsonNode completed = client.next();
            assertEquals("report_completed", completed.path("type").asText(), completed.toString());
            assertEquals(reportId, completed.path("data").path("reportId").asText());
            assertEquals("/api/v1/reports/download/" + reportId, completed.path("data").path("downloadUrl").asText());
            assertEquals("pdf", completed.path("data").path("format").asText());
            assertEquals(1_024_000, completed.path("data").path("fileSize").asLong());
        }

        // Joining after the end: the final status, then the download link.
        TestClient after = watch(1, reportId, "alice");
        assertStatus(after.next(), reportId, "completed", 100, null);
        assertEquals("report_completed", after.next().path("type").asText());
    }

    @Test
    void aFailedReportReachesWatchersAsStatusErrorAndAnErrorMessage() {
        String reportId = newReport();
        producer.register(reportId, "alice", null);
        TestClient client = watch(1, reportId, "alice");
        assertStatus(client.next(), reportId, "pending", 0, null);
        producer.progress(reportId, 30, "Querying");
        producer.fail(reportId, "Data source timed out");
        assertStatus(client.next(), reportId, "running", 30, null);
        assertStatus(client.next(), reportId, "error", 30, "Data source timed out");
        JsonNode error = client.next();
        assertEquals("error", error.path("type").asText());
        assertEquals("Data source timed out", error.path("message").asText());
        assertEquals(ErrorCodes.REPORT_FAILED, error.path("code").asText());
        assertEquals(reportId, error.path("data").path("reportId").asText());
    }

    @Test
    void theOwnersCancelReachesTheProducerAndEveryWatcherSeesCancelledWhileAnotherUsersCancelIsRefused()
            throws Exception {
        String reportId = newReport();
        producer.register(reportId, "alice", "tpl-sales");
        CompletableFuture<CancelRequest> callback = new CompletableFuture<>();
        producer.onCancel(reportId, callback::complete);
        producer.progress(reportId, 20, "Working");

        TestClient owner = watch(0, reportId, "alice");
        TestClient admin = watch(1, reportId, "root", "admin");
        TestClient other = watch(1, reportId, "mallory");
        for (TestClient client : List.of(owner, admin, other)) {
            assertStatus(client.next(), reportId, "running", 20, "Working");
        }

        JsonNode refused = other.sendAndAwaitReply(Map.of("type", "cancel_report"));
        assertEquals("error", refused.path("type").asText());
        assertEquals(ErrorCodes.FORBIDDEN, refused.path("code").asText());
        assertFalse(producer.isCancelRequested(reportId), "a refused cancel changes nothing");
        assertNull(producer.state(reportId).orElseThrow().cancelRequestedBy());
        assertFalse(callback.isDone());

        JsonNode ack = owner.sendAndAwaitReply(Map.of("type", "cancel_report", "id", "c1"));
        assertEquals("cancel_requested", ack.path("type").asText(), ack.toString());
        assertEquals("c1", ack.path("id").asText());
        assertEquals(reportId, ack.path("data").path("reportId").asText());
        assertEquals("alice", ack.path("data").path("requestedBy").asText());
        assertTrue(ack.path("data").path("producerListening").asBoolean());

        CancelRequest request = callback.get(10, TimeUnit.SECONDS);
        assertEquals("alice", request.requestedBy());
        assertEquals(reportId, request.reportId());
        assertTrue(producer.isCancelRequested(reportId));

        producer.cancelled(reportId, "Cancelled by user");
        for (TestClient client : List.of(owner, admin, other)) {
            assertStatus(client.next(), reportId, "cancelled", 20, "Cancelled by user");
        }
        JsonNode late = owner.sendAndAwaitReply(Map.of("type", "cancel_report"));
        assertEquals(ErrorCodes.REPORT_FINISHED, late.path("code").asText());
    }

    @Test
    void anAdminMayCancelAReportItDoesNotOwn() throws Exception {
        String reportId = newReport();
        producer.register(reportId, "alice", null);
        CompletableFuture<CancelRequest> callback = new CompletableFuture<>();
        producer.onCancel(reportId, callback::complete);
        TestClient admin = watch(0, reportId, "root", "admin");
        admin.nextOfType("report_status");
        assertEquals("cancel_requested", admin.sendAndAwaitReply(Map.of("type", "cancel_report")).path("type").asText());
        assertEquals("root", callback.get(10, TimeUnit.SECONDS).requestedBy());
    }

    @Test
    void aCancelRecordedWhileTheProducerWasNotListeningIsNotLost() throws Exception {
        String reportId = newReport();
        producer.register(reportId, "alice", null);
        TestClient owner = watch(1, reportId, "alice");
        owner.nextOfType("report_status");
        JsonNode ack = owner.sendAndAwaitReply(Map.of("type", "cancel_report"));
        assertEquals("cancel_requested", ack.path("type").asText());
        assertFalse(ack.path("data").path("producerListening").asBoolean());

        // A producer (re)starting later finds the durable flag: by polling, and through its callback.
        try (ReportProducer restarted = ReportProducer.connect(cluster.redisUrl(),
                PublisherOptions.builder().keyPrefix(cluster.prefix()).build())) {
            assertTrue(restarted.isCancelRequested(reportId));
            CompletableFuture<CancelRequest> callback = new CompletableFuture<>();
            restarted.onCancel(reportId, callback::complete);
            assertEquals("alice", callback.get(10, TimeUnit.SECONDS).requestedBy());
            restarted.cancelled(reportId, null);
        }
        assertStatus(owner.next(), reportId, "cancelled", 0, "Report cancelled");
        assertEquals(ReportStatus.CANCELLED, producer.state(reportId).orElseThrow().status());
    }

    @Test
    void requestUpdateAnswersFromTheStoredState() {
        String reportId = newReport();
        producer.register(reportId, "alice", null);
        producer.progress(reportId, 55, "Halfway");
        TestClient client = watch(0, reportId, "alice");
        assertStatus(client.next(), reportId, "running", 55, "Halfway");

        JsonNode reply = client.sendAndAwaitReply(Map.of("type", "request_update", "id", "u1"));
        assertStatus(reply, reportId, "running", 55, "Halfway");
        assertEquals("u1", reply.path("id").asText());

        // The state expires (or is removed) while the socket is open: the documented error.
        cluster.redis().del(cluster.keys().report(reportId));
        JsonNode gone = client.sendAndAwaitReply(Map.of("type", "request_update", "id", "u2"));
        assertEquals("error", gone.path("type").asText());
        assertEquals(ErrorCodes.REPORT_NOT_FOUND, gone.path("code").asText());
    }

    @Test
    void anUnknownReportGetsReportNotFoundAndClose4004() {
        TestClient client = watch(1, newReport(), "alice");
        JsonNode error = client.next();
        assertEquals("error", error.path("type").asText());
        assertEquals(ErrorCodes.REPORT_NOT_FOUND, error.path("code").asText());
        assertEquals(CloseCodes.NOT_FOUND, client.awaitClose().statusCode());
    }

    @Test
    void aMalformedReportIdGetsInvalidReportIdAndClose1008() {
        TestClient client = TestClient.connect(cluster.uri(0, "/api/v1/reports/progress/bad!id"),
                Map.of("Authorization", "Bearer " + TestCluster.token("alice")));
        JsonNode error = client.next();
        assertEquals(ErrorCodes.INVALID_REPORT_ID, error.path("code").asText(), error.toString());
        assertEquals(CloseCodes.POLICY_VIOLATION, client.awaitClose().statusCode());
    }

    @Test
    void subscribeTemplateDeliversThatTemplatesDataUpdates() {
        String reportId = newReport();
        producer.register(reportId, "alice", "tpl-progress");
        TestClient client = watch(0, reportId, "alice");
        client.nextOfType("report_status");
        JsonNode subscribed = client.sendAndAwaitReply(Map.of("type", "subscribe_template", "templateId", "tpl-progress"));
        assertEquals("subscribed", subscribed.path("type").asText(), subscribed.toString());
        assertEquals("reports:data:tpl-progress", subscribed.path("channel").asText());
        producer.streams().append("tpl-progress", Map.of("value", 7));
        JsonNode update = client.next();
        assertEquals("data_update", update.path("type").asText());
        assertEquals(7, update.path("data").path("value").asInt());

        JsonNode bad = client.sendAndAwaitReply(Map.of("type", "subscribe_template", "templateId", "no{pe}"));
        assertEquals(ErrorCodes.INVALID_TEMPLATE_ID, bad.path("code").asText());
    }

    /** Something to check on one node whose CHANNEL_RULES let only admins watch progress, with a producer. */
    @FunctionalInterface
    private interface StrictScenario {
        void run(TestCluster strict, ReportProducer reports) throws Exception;
    }

    private static void withRestrictiveChannelRules(StrictScenario scenario) throws Exception {
        try (TestCluster strict = TestCluster.start(1,
                Map.of("CHANNEL_RULES", "reports:progress:**=role:admin;user:**=owner_or_admin;**=public"),
                ReportRoutes.all());
             ReportProducer reports = ReportProducer.connect(strict.redisUrl(),
                     PublisherOptions.builder().keyPrefix(strict.prefix()).build())) {
            scenario.run(strict, reports);
        }
    }

    @Test
    void withRestrictiveChannelRulesOnlyTheOwnerAndAdminsMayWatch() throws Exception {
        withRestrictiveChannelRules((strict, reports) -> {
            String reportId = newReport();
            reports.register(reportId, "alice", null);
            TestClient other = strict.connect(0, "/api/v1/reports/progress/" + reportId, TestCluster.token("mallory"));
            assertEquals(ErrorCodes.FORBIDDEN, other.next().path("code").asText());
            assertEquals(CloseCodes.POLICY_VIOLATION, other.awaitClose().statusCode());
            TestClient anonymous = strict.connect(0, "/api/v1/reports/progress/" + reportId, null);
            assertEquals(ErrorCodes.AUTH_REQUIRED, anonymous.next().path("code").asText());
            TestClient owner = strict.connect(0, "/api/v1/reports/progress/" + reportId, TestCluster.token("alice"));
            assertEquals("report_status", owner.next().path("type").asText());
        });
    }

    @Test
    void withRestrictiveChannelRulesAnOwnerlessReportIsNotShownToWhomTheWsRouteRefusesIt() throws Exception {
        withRestrictiveChannelRules((strict, reports) -> {
            String reportId = newReport();
            reports.register(reportId, null, null); // a system report: no owner
            // What a plain subscribe on /ws answers for its channel...
            TestClient plain = strict.connect(0, "/ws", null);
            JsonNode refused = plain.sendAndAwaitReply(
                    Map.of("type", "subscribe", "channel", "reports:progress:" + reportId));
            assertEquals(ErrorCodes.AUTH_REQUIRED, refused.path("code").asText(), refused.toString());
            // ...the route answers too: it shows nothing /ws would refuse.
            TestClient anonymous = strict.connect(0, "/api/v1/reports/progress/" + reportId, null);
            assertEquals(ErrorCodes.AUTH_REQUIRED, anonymous.next().path("code").asText());
            assertEquals(CloseCodes.POLICY_VIOLATION, anonymous.awaitClose().statusCode());
            TestClient other = strict.connect(0, "/api/v1/reports/progress/" + reportId, TestCluster.token("mallory"));
            assertEquals(ErrorCodes.FORBIDDEN, other.next().path("code").asText());
            TestClient admin = strict.connect(0, "/api/v1/reports/progress/" + reportId,
                    TestCluster.token("root", "admin"));
            assertEquals("report_status", admin.next().path("type").asText());
        });
    }

    @Test
    void theProducerRefusesChangesToUnknownOrFinishedReports() {
        String reportId = newReport();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> producer.progress(reportId, 10, "x"));
        producer.register(reportId, null, null);
        producer.complete(reportId, "/d", "csv", 10);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> producer.progress(reportId, 10, "x"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> producer.progress(reportId, 101, "x"));
        await().atMost(Duration.ofSeconds(5)).until(() -> producer.state(reportId).isPresent());
        long ttl = cluster.redis().pttl(cluster.keys().report(reportId));
        assertTrue(ttl > 0 && ttl <= ReportProducer.DEFAULT_STATE_TTL.toMillis(), "state has a bounded lifetime: " + ttl);
    }
}
