package com.aegisx.ws.server.core;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** An outbound whose queue is as full as the test says. */
    private static final class Behind extends FakeOutbound {
        volatile long queued;

        @Override
        public long queuedBytes() {
            return queued;
        }
    }

    @Test
    void aSocketThatKeepsUpIsSentToAndNoFlushIsScheduled() {
        Behind out = new Behind();
        assertTrue(conflation.sendOrHold(connection("a", out), "dash:cpu", frame("1")));
        assertEquals(List.of("1"), out.frames());
        assertEquals(0, timer.getPoolSize(), "a node with no socket behind never wakes for the flush");
    }

    @Test
    void theNewestWaitsUntilTheSocketCatchesUpAndFlushesStopOnceItHasClosed() {
        Behind out = new Behind();
        out.queued = THRESHOLD + 1;
        LocalConnection member = connection("a", out);
        assertFalse(conflation.sendOrHold(member, "dash:cpu", frame("1")));
        assertFalse(conflation.sendOrHold(member, "dash:cpu", frame("2")));
        assertEquals(1, conflation.replaced());
        assertEquals(1, timer.getQueue().size(), "one flush due, not one per held message");

        out.queued = 0;
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
        Behind first = new Behind();
        first.queued = THRESHOLD + 1;
        assertFalse(conflation.sendOrHold(connection("a", first), "dash:cpu", frame("1")));
        first.close(1000, "gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> timer.getQueue().isEmpty() && timer.getActiveCount() == 0);

        Behind second = new Behind();
        second.queued = THRESHOLD + 1;
        assertFalse(conflation.sendOrHold(connection("b", second), "dash:cpu", frame("2")));
        second.queued = 0;
        await().atMost(Duration.ofSeconds(5)).until(() -> second.frames().equals(List.of("2")));
    }

    private static LocalConnection connection(String id, FakeOutbound out) {
        return new LocalConnection(id, "main", out, new Identity(id, Set.of(), null), "127.0.0.1", "");
    }

    private static ByteBuffer frame(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
