package com.aegisx.ws.server.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.ChannelPattern;
import com.aegisx.ws.server.auth.Identity;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConflationTest {

    private static final long THRESHOLD = 1_000;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final Conflation conflation = new Conflation(List.of(ChannelPattern.of("dash:**")), THRESHOLD, timer);

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aSocketThatKeepsUpIsSentToAndNoFlushIsScheduled() {
        FakeOutbound out = new FakeOutbound();
        assertTrue(conflation.sendOrHold(connection("a", out), "dash:cpu", frame("1")));
        assertEquals(List.of("1"), out.frames());
        assertEquals(0, timer.getPoolSize(), "a node with no socket behind never wakes for the flush");
    }

    @Test
    void theNewestWaitsUntilTheSocketCatchesUpAndFlushesStopOnceItHasClosed() {
        FakeOutbound out = new FakeOutbound();
        out.queued(THRESHOLD + 1);
        LocalConnection member = connection("a", out);
        assertFalse(conflation.sendOrHold(member, "dash:cpu", frame("1")));
        assertFalse(conflation.sendOrHold(member, "dash:cpu", frame("2")));
        assertEquals(1, conflation.replaced());
        assertEquals(1, timer.getQueue().size(), "one flush due, not one per held message");

        out.queued(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> out.frames().equals(List.of("2")));

        // Flushes go on while the socket has an entry (it may fall behind again), until it closes.
        out.close(1000, "gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> timer.getQueue().isEmpty() && timer.getActiveCount() == 0);
        long flushes = timer.getCompletedTaskCount();
        await().during(Duration.ofMillis(4 * Conflation.FLUSH_DELAY_MILLIS)).atMost(Duration.ofSeconds(2))
                .until(() -> timer.getQueue().isEmpty() && timer.getCompletedTaskCount() == flushes);
    }

    @Test
    void aSocketFallingBehindAfterTheFlushesStoppedStartsThemAgain() {
        FakeOutbound first = new FakeOutbound();
        first.queued(THRESHOLD + 1);
        assertFalse(conflation.sendOrHold(connection("a", first), "dash:cpu", frame("1")));
        first.close(1000, "gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> timer.getQueue().isEmpty() && timer.getActiveCount() == 0);

        FakeOutbound second = new FakeOutbound();
        second.queued(THRESHOLD + 1);
        assertFalse(conflation.sendOrHold(connection("b", second), "dash:cpu", frame("2")));
        second.queued(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> second.frames().equals(List.of("2")));
    }

    @Test
    void aMessageThatIsNotReplaceableIsQueuedAfterTheOneWaitingAndNeverHeld() {
        FakeOutbound out = new FakeOutbound();
        out.queued(THRESHOLD + 1);
        LocalConnection member = connection("a", out);
        assertFalse(conflation.send(member, "dash:cpu", frame("1"), true));
        assertFalse(conflation.send(member, "dash:cpu", frame("2"), true));
        assertTrue(conflation.send(member, "dash:cpu", frame("done"), false));
        assertEquals(List.of("2", "done"), out.frames(), "the newest waiting first, then the terminal one");
        assertFalse(conflation.send(member, "dash:cpu", frame("3"), true), "held again after it");
        assertEquals(List.of("2", "done"), out.frames());
    }

    @Test
    void aMessageThatIsNotReplaceableGoesStraightOutWhenNothingWaits() {
        FakeOutbound out = new FakeOutbound();
        out.queued(THRESHOLD + 1);
        assertTrue(conflation.send(connection("a", out), "dash:cpu", frame("done"), false));
        assertEquals(List.of("done"), out.frames());
        assertEquals(0, timer.getPoolSize(), "nothing held, no flush");
    }

    @Test
    void onlyLatestValueChannelsGetTheConflation() {
        assertSame(conflation, conflation.on("dash:cpu"));
        assertSame(ChannelSend.DIRECT, conflation.on("news"));
    }

    private static LocalConnection connection(String id, FakeOutbound out) {
        return new LocalConnection(id, "main", out, new Identity(id, Set.of(), null), "127.0.0.1", "");
    }

    private static ByteBuffer frame(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
