package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When a Lettuce loop pauses before it reads again: only after a run that handled I/O within a
 * window of starting to wait, never with a task waiting, never past the next scheduled task; and a
 * task handed over during a pause ends it.
 */
class PacedIoHandlerTest {

    private static final long WINDOW = TimeUnit.MILLISECONDS.toNanos(1);

    /** Netty's handler as the loop sees it: each run returns the next scripted count of handled events. */
    private static final class ScriptedHandler implements IoHandler {
        final Queue<Integer> handled;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger wakeups = new AtomicInteger();
        long runSleepMillis;

        /** {@code handled}: what the runs return, in turn (0 once they are used up). */
        ScriptedHandler(Integer... handled) {
            this.handled = new ArrayDeque<>(List.of(handled));
        }

        @Override
        public int run(IoHandlerContext context) {
            runs.incrementAndGet();
            if (runSleepMillis > 0) {
                try {
                    Thread.sleep(runSleepMillis); // a select that waited this long for I/O
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Integer next = handled.poll();
            return next == null ? 0 : next;
        }

        @Override
        public IoRegistration register(IoHandle handle) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void wakeup() {
            wakeups.incrementAndGet();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return true;
        }
    }

    private static final class Context implements IoHandlerContext {
        boolean canBlock = true;
        long delayNanos = TimeUnit.SECONDS.toNanos(1);

        @Override
        public boolean canBlock() {
            return canBlock;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return delayNanos;
        }

        @Override
        public long deadlineNanos() {
            return System.nanoTime() + delayNanos;
        }
    }

    /** The time each park of a pause was asked for (a pause may park more than once), then parks. */
    private final List<Long> parks = new CopyOnWriteArrayList<>();
    private final PacedIoHandler.Pause recording = (blocker, nanos) -> {
        parks.add(nanos);
        PacedIoHandler.Pause.PARK.park(blocker, nanos);
    };
    /** Pauses taken. */
    private final AtomicLong pauses = new AtomicLong();

    /** A handler pacing {@code nio}'s runs with the test's window, recording its parks and pauses. */
    private PacedIoHandler paced(ScriptedHandler nio) {
        return new PacedIoHandler(nio, WINDOW, recording, pauses);
    }

    @Test
    void afterReadsThatCameWithinAWindowTheLoopPausesUpToAWindowBeforeReadingAgain() {
        ScriptedHandler nio = new ScriptedHandler(1, 3, 2);
        PacedIoHandler handler = paced(nio);
        Context context = new Context();

        handler.run(context); // the first read: no pause before it
        assertEquals(0, pauses.get());
        handler.run(context);
        assertEquals(1, pauses.get(), "paused before the second read");
        assertTrue(parks.get(0) > 0 && parks.get(0) <= WINDOW, "at most a window: " + parks.get(0));
        assertTrue(parks.stream().allMatch(nanos -> nanos <= WINDOW), "never beyond the window: " + parks);
        handler.run(context);
        assertEquals(2, pauses.get(), "still pacing while every run finds reads at once");
        assertEquals(3, nio.runs.get());
    }

    @Test
    void aRunThatHandledNoIoEndsThePacing() {
        ScriptedHandler nio = new ScriptedHandler(1, 0, 1);
        PacedIoHandler handler = paced(nio);
        Context context = new Context();

        handler.run(context);
        handler.run(context); // paced, but handled nothing (a task, a wake-up)
        assertEquals(1, pauses.get());
        handler.run(context);
        assertEquals(1, pauses.get(), "no pause after a run without I/O");
    }

    @Test
    void readsFurtherApartThanTheWindowAreReadAsTheyCome() {
        ScriptedHandler nio = new ScriptedHandler(1, 1, 1);
        nio.runSleepMillis = 5; // every select waited 5 ms, longer than the 1 ms window
        PacedIoHandler handler = paced(nio);
        Context context = new Context();

        handler.run(context);
        handler.run(context);
        handler.run(context);
        assertEquals(0, pauses.get(), "a quiet loop never pauses");
        assertTrue(parks.isEmpty());
    }

    @Test
    void aWaitingTaskIsRunWithoutPause() {
        ScriptedHandler nio = new ScriptedHandler(1, 1);
        PacedIoHandler handler = paced(nio);
        Context context = new Context();

        handler.run(context);
        context.canBlock = false; // a task is queued
        handler.run(context);
        assertEquals(0, pauses.get());
        assertTrue(parks.isEmpty());
        assertEquals(2, nio.runs.get());
    }

    @Test
    void aPauseNeverReachesPastTheNextScheduledTask() {
        ScriptedHandler nio = new ScriptedHandler(1, 1);
        PacedIoHandler handler = paced(nio);
        Context context = new Context();

        handler.run(context);
        context.delayNanos = WINDOW / 10; // a timer is due in a tenth of the window
        handler.run(context);
        assertEquals(1, pauses.get());
        assertTrue(parks.stream().allMatch(nanos -> nanos <= WINDOW / 10), "parked " + parks + " ns");
    }

    @Test
    void aTaskHandedOverDuringAPauseEndsIt() throws Exception {
        ScriptedHandler nio = new ScriptedHandler(1, 1);
        AtomicLong paused = new AtomicLong();
        // A window of a minute: only the wake-up can end this pause within the test's patience.
        PacedIoHandler handler = new PacedIoHandler(nio, TimeUnit.MINUTES.toNanos(1), PacedIoHandler.Pause.PARK, paused);
        Context context = new Context();
        context.delayNanos = TimeUnit.MINUTES.toNanos(1);
        Thread loop = new Thread(() -> {
            handler.run(context);
            handler.run(context);
        }, "paced-loop");
        loop.setDaemon(true);
        loop.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> paused.get() == 1);
            assertEquals(1, nio.runs.get(), "the second read waits for the pause");

            handler.wakeup(); // what Netty calls after queueing a task from another thread

            await().atMost(Duration.ofSeconds(10)).until(() -> nio.runs.get() == 2);
            assertTrue(nio.wakeups.get() >= 1, "Netty's own wake-up (its selector) still happens");
            loop.join(TimeUnit.SECONDS.toMillis(10));
        } finally {
            loop.interrupt();
        }
    }
}
