package com.aegisx.ws.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The checks after a takeover on another node: when the close command is sent again, and when they stop. */
class RemoteTakeoverTest {

    private static final String OLD = "ws_n0_abc";

    /** A timer that runs nothing by itself: the test runs each task and sees each delay. */
    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final List<Duration> delays = new ArrayList<>();
    private int sent;

    private RemoteTakeover takeover(RemoteTakeover.Registered registered) {
        return new RemoteTakeover(id -> {
            assertEquals(OLD, id);
            sent++;
            return CompletableFuture.completedFuture(true);
        }, registered, (task, delay) -> {
            tasks.add(task);
            delays.add(delay);
        });
    }

    private void runTimers() {
        while (!tasks.isEmpty()) {
            tasks.poll().run();
        }
    }

    @Test
    void aDeliveredCommandIsCheckedOnceAndNotSentAgain() {
        takeover(id -> CompletableFuture.completedFuture(false)).close(OLD);
        runTimers();
        assertEquals(1, sent);
        assertEquals(List.of(RemoteTakeover.FIRST_CHECK), delays);
    }

    @Test
    void aLostCommandIsSentAgainUntilTheConnectionIsGone() {
        int[] checks = {0};
        takeover(id -> CompletableFuture.completedFuture(++checks[0] < 3)).close(OLD);
        runTimers();
        assertEquals(3, sent, "the first, then once per check that still found it");
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), delays);
    }

    @Test
    void aConnectionThatNeverGoesIsGivenUpOnAfterTheLastCheckWithCappedWaits() {
        takeover(id -> CompletableFuture.completedFuture(true)).close(OLD);
        runTimers();
        assertEquals(RemoteTakeover.CHECKS, delays.size());
        assertEquals(RemoteTakeover.CHECKS, sent, "the first, then after every check but the last");
        assertEquals(RemoteTakeover.MAX_INTERVAL, delays.get(delays.size() - 1));
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L), delays.subList(0, 6).stream().map(Duration::toSeconds).toList());
    }

    @Test
    void aFailedCheckIsNoAnswerThenSendsNothingButChecksAgain() {
        int[] checks = {0};
        takeover(id -> ++checks[0] == 1
                ? CompletableFuture.failedFuture(new IllegalStateException("Redis down"))
                : CompletableFuture.completedFuture(false)).close(OLD);
        runTimers();
        assertEquals(1, sent);
        assertEquals(2, checks[0]);
    }
}
