package com.aegisx.ws.server.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.reports.ReportMessages;
import com.aegisx.ws.client.reports.StoredPoint;
import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Conflation, filtering and snapshot ordering of one stream socket, on a manual clock. */
class StreamSessionTest {

    private long now = 1_000_000;
    private final List<ObjectNode> sent = new ArrayList<>();
    private final List<ByteBuffer> frames = new ArrayList<>();
    private final List<Timer> timers = new ArrayList<>();

    private record Timer(long at, Runnable task, CompletableFuture<Void> handle) {
    }

    private final StreamSession session = new StreamSession("tpl", new StreamSession.Sink() {
        @Override
        public void send(ObjectNode message, ByteBuffer frame) {
            sent.add(message);
            frames.add(frame);
        }

        @Override
        public Future<?> schedule(long delayMillis, Runnable task) {
            CompletableFuture<Void> handle = new CompletableFuture<>();
            timers.add(new Timer(now + delayMillis, task, handle));
            return handle;
        }
    }, () -> now);

    private int seq;

    private ObjectNode point(String department, int value) {
        ObjectNode data = Json.object().put("department", department).put("value", value);
        return ReportMessages.dataUpdate("tpl", data, "1700000000000-" + (++seq));
    }

    private void live(ObjectNode update) {
        session.onLive(update, ByteBuffer.wrap(Json.write(update).getBytes()));
    }

    /** Advances the clock, running due timers that were not cancelled. */
    private void advance(long millis) {
        now += millis;
        boolean ran = true;
        while (ran) {
            ran = false;
            for (Timer timer : List.copyOf(timers)) {
                if (timer.at() <= now && !timer.handle().isCancelled() && !timer.handle().isDone()) {
                    timer.handle().complete(null);
                    timer.task().run();
                    ran = true;
                }
            }
        }
    }

    private List<ObjectNode> updates() {
        return sent.stream().filter(m -> "data_update".equals(m.path("type").asText())).toList();
    }

    private void openWithEmptySnapshot() {
        session.snapshot(List.of());
        assertEquals("initial_data", sent.get(0).path("type").asText());
    }

    @Test
    void withoutIntervalEveryPointGoesOutAsTheSharedFrame() {
        openWithEmptySnapshot();
        live(point("sales", 1));
        live(point("sales", 2));
        assertEquals(2, updates().size());
        assertNotNull(frames.get(1));
        assertNull(updates().get(1).get("skipped"));
    }

    @Test
    void intervalConflatesToTheLatestPointAndCountsTheReplacedOnes() {
        openWithEmptySnapshot();
        session.setInterval(1_000);
        live(point("sales", 1));          // due: sent at once
        advance(100);
        live(point("sales", 2));          // held
        live(point("sales", 3));          // replaces 2
        live(point("sales", 4));          // replaces 3
        assertEquals(1, updates().size());
        advance(899);
        assertEquals(1, updates().size(), "nothing before the interval has passed");
        advance(1);
        assertEquals(2, updates().size());
        ObjectNode conflated = updates().get(1);
        assertEquals(4, conflated.path("data").path("value").asInt());
        assertEquals(2, conflated.path("skipped").asInt());
        assertNull(frames.get(frames.size() - 1), "a counted update is re-encoded, not the shared frame");
        // Exact accounting: 1 + skipped over all updates equals the points published.
        long accounted = updates().stream().mapToLong(u -> 1 + u.path("skipped").asLong(0)).sum();
        assertEquals(4, accounted);
    }

    @Test
    void filterDropsNonMatchingPointsWithoutCountingThem() {
        session.beginSnapshot(PointFilter.parse(Json.parseObject("{\"department\":\"sales\"}")));
        session.snapshot(List.of(
                new StoredPoint("5-0", Json.object().put("department", "hr").put("value", 5)),
                new StoredPoint("4-0", Json.object().put("department", "sales").put("value", 4))));
        assertEquals(1, sent.get(0).path("data").size());
        assertEquals(4, sent.get(0).path("data").get(0).path("value").asInt());
        session.setInterval(1_000);
        live(point("sales", 1));
        advance(10);
        live(point("hr", 2));
        live(point("sales", 3));
        advance(1_000);
        assertEquals(2, updates().size());
        assertEquals(3, updates().get(1).path("data").path("value").asInt());
        assertNull(updates().get(1).get("skipped"), "a filtered point is not a skipped one");
    }

    @Test
    void livePointsDuringTheSnapshotWaitAndOldOnesAreNotRepeated() {
        ObjectNode old = point("sales", 1);      // 1700000000000-1: will be in the snapshot
        ObjectNode fresh = point("sales", 2);    // 1700000000000-2: published after it
        live(fresh);
        live(old);
        assertTrue(sent.isEmpty(), "nothing before initial_data");
        session.snapshot(List.of(new StoredPoint("1700000000000-1", (ObjectNode) old.get("data"))));
        assertEquals(List.of("initial_data", "data_update"), sent.stream().map(m -> m.path("type").asText()).toList());
        assertEquals(2, sent.get(1).path("data").path("value").asInt());
    }

    @Test
    void shorteningTheIntervalReleasesTheHeldPointSooner() {
        openWithEmptySnapshot();
        session.setInterval(10_000);
        live(point("sales", 1));
        live(point("sales", 2));
        advance(1_000);
        assertEquals(1, updates().size());
        session.setInterval(500);
        advance(0);
        assertEquals(2, updates().size());
        assertEquals(2, updates().get(1).path("data").path("value").asInt());
    }

    @Test
    void intervalBoundsAreEnforced() {
        assertNull(StreamSession.intervalProblem(0));
        assertNull(StreamSession.intervalProblem(StreamSession.MIN_INTERVAL_MS));
        assertNull(StreamSession.intervalProblem(StreamSession.MAX_INTERVAL_MS));
        assertNotNull(StreamSession.intervalProblem(99));
        assertNotNull(StreamSession.intervalProblem(60_001));
        assertNotNull(StreamSession.intervalProblem(-1));
        assertThrows(IllegalArgumentException.class, () -> session.setInterval(50));
    }

    @Test
    void aFullSnapshotBufferCountsWhatItCannotHold() {
        for (int i = 0; i < StreamSession.MAX_BUFFERED + 3; i++) {
            live(point("sales", i));
        }
        session.snapshot(List.of());
        List<ObjectNode> updates = updates();
        assertEquals(StreamSession.MAX_BUFFERED, updates.size());
        assertEquals(3, updates.get(0).path("skipped").asInt());
        long accounted = updates.stream().mapToLong(u -> 1 + u.path("skipped").asLong(0)).sum();
        assertEquals(StreamSession.MAX_BUFFERED + 3, accounted);
    }

    @Test
    void closingCancelsTheFlush() {
        openWithEmptySnapshot();
        session.setInterval(1_000);
        live(point("sales", 1));
        live(point("sales", 2));
        session.close();
        advance(5_000);
        assertEquals(1, updates().size());
        assertSame(timers.get(0).handle().isCancelled(), true);
    }
}
