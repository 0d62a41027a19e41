package com.aegisx.ws.server.reports;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportMessages;
import com.aegisx.ws.client.reports.ReportState;
import com.aegisx.ws.client.reports.ReportStatus;
import com.aegisx.ws.protocol.ChannelPattern;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.core.Conflation;
import com.aegisx.ws.server.core.FakeOutbound;
import com.aegisx.ws.server.core.LocalConnection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The order a progress socket is sent its report in, while it keeps up and while it is behind (conflated). */
class ProgressWatchTest {

    private static final String REPORT = "r-1";
    private static final String CHANNEL = ReportChannels.progress(REPORT);
    private static final long THRESHOLD = 1_000;

    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final Conflation conflation = new Conflation(List.of(ChannelPattern.of("reports:progress:**")), THRESHOLD,
            timer);
    private final FakeOutbound out = new FakeOutbound();
    private final LocalConnection socket = new LocalConnection("ws_a", "progress", out,
            new Identity("u", Set.of(), null), "127.0.0.1", "");
    private final ProgressWatch watch = new ProgressWatch(REPORT, conflation.on(CHANNEL));

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aWatcherBehindKeepsTheNewestStatusThenGetsTheFinalStatusAndReportCompleted() {
        out.queued(THRESHOLD + 1);
        live(status(ReportStatus.RUNNING, 1));
        live(status(ReportStatus.RUNNING, 2));
        live(status(ReportStatus.COMPLETED, 3));
        assertEquals(List.of(), sent(), "held while behind");
        live(ReportMessages.completed(REPORT, "/d", "pdf", 1));
        assertEquals(List.of("report_status 3 completed", "report_completed"), sent(),
                "the final status, not replaced, then the terminal event after it");
    }

    @Test
    void aFailureIsQueuedAfterTheStatusWaiting() {
        out.queued(THRESHOLD + 1);
        live(status(ReportStatus.RUNNING, 1));
        live(status(ReportStatus.ERROR, 2));
        live(ReportMessages.failed(REPORT, "boom"));
        assertEquals(List.of("report_status 2 error", "error"), sent());
    }

    @Test
    void theStateReadAfterWelcomeDoesNotOvertakeAStatusWaiting() {
        out.queued(THRESHOLD + 1);
        live(status(ReportStatus.RUNNING, 5));
        watch.current(socket, state(8));
        out.queued(0); // caught up: the conflation's timer sends what waits
        await().atMost(Duration.ofSeconds(5)).until(() -> !sent().isEmpty());
        assertEquals(List.of("report_status 8 running"), sent(), "the newer stored status took the waiting one's place");
    }

    @Test
    void anAnswerToRequestUpdateComesAfterTheStatusWaitingAndNoOlderStatusFollowsIt() {
        out.queued(THRESHOLD + 1);
        live(status(ReportStatus.RUNNING, 5));
        watch.answer(socket, state(8), IntNode.valueOf(7));
        assertEquals(List.of("report_status 5 running", "report_status 8 running id=7"), sent(),
                "the answer is not held, and not ahead of what waited");
        out.queued(0);
        live(status(ReportStatus.RUNNING, 7)); // published before the state was read, delivered after
        live(status(ReportStatus.RUNNING, 9));
        assertEquals(List.of("report_status 5 running", "report_status 8 running id=7", "report_status 9 running"),
                sent(), "never an older status after a newer one");
    }

    private void live(ObjectNode message) {
        watch.live(socket, CHANNEL, message, ByteBuffer.wrap(Json.write(message).getBytes(StandardCharsets.UTF_8)),
                conflation.on(CHANNEL));
    }

    private static ObjectNode status(ReportStatus status, long seq) {
        return ReportMessages.status(REPORT, status, 10, "m", seq);
    }

    private static ReportState state(long seq) {
        return new ReportState(REPORT, null, null, ReportStatus.RUNNING, 80, "m", null, null, 0, seq, null, null, null);
    }

    /** Each frame as "type seq status [id=..]", "type" for the others. */
    private List<String> sent() {
        List<String> frames = new ArrayList<>();
        for (String frame : out.frames()) {
            JsonNode message = Json.parseObject(frame);
            String type = message.path("type").asText();
            if (!type.equals("report_status")) {
                frames.add(type);
                continue;
            }
            String line = type + " " + message.path("seq").asLong() + " " + message.path("data").path("status").asText();
            frames.add(message.has("id") ? line + " id=" + message.path("id").asText() : line);
        }
        return frames;
    }
}
