package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.metrics.NodeMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dispatcher's queues are bounded (a worker far behind drops and counts, the caller never blocks); it counts what its workers allocate. */
class PubSubDispatcherTest {

    /** Holds the worker inside the handler until released, so what is sent meanwhile queues up. */
    private static final class Hold {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        /** Called by the handler: blocks the worker until {@link #release}. */
        void here() {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        boolean awaitHeld() throws InterruptedException {
            return started.await(5, TimeUnit.SECONDS);
        }

        void release() {
            release.countDown();
        }
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlockingTheEventLoop() throws Exception {
        Hold hold = new Hold();
        List<String> handled = new CopyOnWriteArrayList<>();
        PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 2, (topic, payloads) -> {
            hold.here();
            handled.addAll(payloads);
        });
        try {
            dispatcher.message("t", "1");
            assertTrue(hold.awaitHeld()); // the worker holds "1"; the queue is empty
            long start = System.nanoTime();
            dispatcher.message("t", "2");
            dispatcher.message("t", "3");
            dispatcher.message("t", "4"); // the queue (capacity 2) is full: dropped
            dispatcher.message("t", "5");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "message() never waits");
            assertEquals(2, dispatcher.dropped());
            assertEquals(3, dispatcher.pending());

            hold.release();
            await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.pending() == 0);
            assertEquals(List.of("1", "2", "3"), handled);
        } finally {
            hold.release();
            dispatcher.close();
        }
    }

    @Test
    void allocatedBytesCountWhatTheWorkersAllocate() {
        List<byte[]> keep = Collections.synchronizedList(new ArrayList<>());
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16,
                (topic, payloads) -> keep.add(new byte[1 << 20]))) {
            long before = dispatcher.allocatedBytes();
            if (before < 0) {
                return; // a JVM without per-thread allocation counts: the metric reads 0
            }
            dispatcher.message("ch:1", "x");
            await().atMost(Duration.ofSeconds(5)).until(() -> keep.size() == 1);
            long after = dispatcher.allocatedBytes();
            assertTrue(after - before >= 1 << 20, "counted " + (after - before) + " bytes");
        }
    }

    @Test
    void inlineTopicsAreHandledOnTheCallersThreadInOrderOthersOnAWorker() {
        List<String> threads = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> {
            threads.add(topic + "@" + Thread.currentThread().getName());
            handled.addAll(payloads);
        }, topic -> topic.startsWith("user:"))) {
            dispatcher.message("user:1", "a");
            dispatcher.message("user:1", "b");
            String caller = Thread.currentThread().getName();
            assertEquals(List.of("user:1@" + caller, "user:1@" + caller), threads, "handled before message() returned");
            assertEquals(List.of("a", "b"), handled);
            assertEquals(0, dispatcher.pending());

            dispatcher.message("ch:1", "c");
            await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 3);
            assertEquals("ch:1@ws-dispatch-0", threads.get(2));
        }
    }

    @Test
    void cpuNanosCountWhatTheWorkersSpend() {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<Long> spent = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> {
            long start = mx.getCurrentThreadCpuTime();
            long x = 0;
            while (mx.getCurrentThreadCpuTime() - start < TimeUnit.MILLISECONDS.toNanos(30)) {
                x += System.nanoTime() & 1; // burn CPU on this worker
            }
            spent.add(mx.getCurrentThreadCpuTime() - start + (x & 0));
        })) {
            long before = dispatcher.cpuNanos();
            if (before < 0) {
                return; // a JVM without per-thread CPU time: the metric reads 0
            }
            dispatcher.message("ch:1", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> spent.size() == 1);
            long counted = dispatcher.cpuNanos() - before;
            assertTrue(counted >= spent.get(0), "counted " + counted + " ns, the handler spent " + spent.get(0));
        }
    }

    @Test
    void aTaskRunsOnItsWorkerAfterWhatWasQueuedBeforeItAndBeforeWhatCameAfter() throws Exception {
        Hold hold = new Hold();
        List<String> handled = new CopyOnWriteArrayList<>();
        PubSubDispatcher[] self = new PubSubDispatcher[1];
        List<Integer> workerSeen = new CopyOnWriteArrayList<>();
        PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> {
            if (payloads.contains("hold")) {
                hold.here();
            }
            workerSeen.add(self[0].current());
            handled.addAll(payloads);
        });
        self[0] = dispatcher;
        try {
            assertEquals(1, dispatcher.count());
            assertEquals(-1, dispatcher.current(), "the test thread is no worker");
            dispatcher.message("a", "hold");
            assertTrue(hold.awaitHeld());
            dispatcher.message("a", "1"); // these three are taken as one batch
            assertTrue(dispatcher.submit(0, () -> {
                workerSeen.add(dispatcher.current());
                handled.add("task");
            }));
            dispatcher.message("a", "2");
            hold.release();
            await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 4);
            assertEquals(List.of("hold", "1", "task", "2"), handled);
            assertEquals(List.of(0, 0, 0, 0), workerSeen);
            assertEquals(0, dispatcher.pending(), "a task is no pending message");
        } finally {
            hold.release();
            dispatcher.close();
        }
    }

    @Test
    void aTaskForAFullWorkerIsRefused() throws Exception {
        Hold hold = new Hold();
        PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> hold.here());
        try {
            dispatcher.message("a", "hold");
            assertTrue(hold.awaitHeld());
            for (int i = 0; i < 16; i++) {
                assertTrue(dispatcher.submit(0, () -> { }));
            }
            assertFalse(dispatcher.submit(0, () -> { }), "queue full");
        } finally {
            hold.release();
            dispatcher.close();
        }
    }

    @Test
    void oneMessageInTimedEveryIsTimedOnTheEventLoopAndOnEachWorker() {
        List<Long> inlineTimes = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 1024, (topic, payloads) -> handled.addAll(payloads),
                topic -> topic.startsWith("user:"))) {
            dispatcher.dispatchObserver(inlineTimes::add);
            int every = NodeMetrics.SAMPLED_EVERY;
            for (int i = 0; i < 2 * every + 1; i++) {
                dispatcher.message("user:1", "u" + i);
            }
            assertEquals(2 * every + 1, handled.size(), "every inline message is delivered");
            assertEquals(2, inlineTimes.size(), "the " + every + "th and " + 2 * every + "th are timed");
            assertTrue(inlineTimes.stream().allMatch(nanos -> nanos >= 0));

            List<Long> workerTimes = new CopyOnWriteArrayList<>();
            dispatcher.dispatchObserver(workerTimes::add);
            for (int i = 0; i < 3 * every; i++) {
                dispatcher.message("ch:" + i, "c" + i); // topics apart: one delivery per message
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> handled.size() == 5 * every + 1 && dispatcher.pending() == 0);
            assertEquals(3, workerTimes.size(), "one in " + every + " of the worker's messages is timed");
        }
    }

    @Test
    void insideAReadInlineMessagesWaitForItsEndThenAreWarmedAllAndDeliveredInTheirOrder() {
        List<String> events = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16,
                (topic, payloads) -> events.add(topic + "=" + String.join(",", payloads)),
                topic -> topic.startsWith("user:"))) {
            dispatcher.warmBeforeDelivery(topic -> {
                events.add("warm " + topic);
                return 1;
            });
            dispatcher.readStarted();
            dispatcher.message("user:1", "a");
            dispatcher.message("user:2", "b");
            dispatcher.readStarted(); // the next chunk of the same read
            dispatcher.message("user:1", "c");
            dispatcher.message("ch:1", "d"); // not inline: handed to its worker at once
            await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("ch:1=d"));
            assertEquals(List.of("ch:1=d"), events, "the read's inline messages wait for its end");

            dispatcher.readEnded();
            assertEquals(List.of("ch:1=d", "warm user:1", "warm user:2", "warm user:1", "user:1=a", "user:2=b", "user:1=c"),
                    events, "all warmed first, then delivered in their order");

            events.clear();
            dispatcher.message("user:3", "e"); // after the read: at once, as outside any read
            assertEquals(List.of("user:3=e"), events);
            dispatcher.readEnded(); // nothing held: nothing happens
            assertEquals(1, events.size());
        }
    }

    @Test
    void aFailedDeliveryAtTheEndOfAReadDoesNotKeepTheOthersBack() {
        List<String> handled = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> {
            if (topic.equals("user:bad")) {
                throw new IllegalStateException("a failing socket");
            }
            handled.addAll(payloads);
        }, topic -> topic.startsWith("user:"))) {
            dispatcher.readStarted();
            dispatcher.message("user:1", "a");
            dispatcher.message("user:bad", "b");
            dispatcher.message("user:2", "c");
            dispatcher.readEnded();
            assertEquals(List.of("a", "c"), handled);

            dispatcher.readStarted();
            dispatcher.message("user:1", "d");
            dispatcher.readEnded();
            assertEquals(List.of("a", "c", "d"), handled, "nothing of the earlier read is delivered again");
        }
    }

    @Test
    void aFailingWarmerStillLetsTheReadsMessagesGo() {
        List<String> handled = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> handled.addAll(payloads),
                topic -> topic.startsWith("user:"))) {
            dispatcher.warmBeforeDelivery(topic -> {
                throw new IllegalStateException("warming failed");
            });
            dispatcher.readStarted();
            dispatcher.message("user:1", "a");
            dispatcher.message("user:2", "b");
            dispatcher.readEnded();
            assertEquals(List.of("a", "b"), handled);
        }
    }

    @Test
    void eachThreadHoldsOnlyTheMessagesOfItsOwnRead() throws Exception {
        List<String> handled = new CopyOnWriteArrayList<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 16, (topic, payloads) -> handled.addAll(payloads),
                topic -> topic.startsWith("user:"))) {
            dispatcher.readStarted();
            dispatcher.message("user:1", "held");
            Thread other = new Thread(() -> dispatcher.message("user:2", "elsewhere")); // no read there
            other.start();
            other.join(TimeUnit.SECONDS.toMillis(5));
            assertEquals(List.of("elsewhere"), handled);
            dispatcher.readEnded();
            assertEquals(List.of("elsewhere", "held"), handled);
        }
    }
}
