package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The dispatcher's queues are bounded: a worker far behind drops and counts, the caller never blocks. */
class PubSubDispatcherTest {

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlockingTheEventLoop() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        List<String> handled = new CopyOnWriteArrayList<>();
        PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, 2, (topic, payloads) -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            handled.addAll(payloads);
        });
        try {
            dispatcher.message("t", "1");
            assertTrue(started.await(5, TimeUnit.SECONDS)); // the worker holds "1"; the queue is empty
            long start = System.nanoTime();
            dispatcher.message("t", "2");
            dispatcher.message("t", "3");
            dispatcher.message("t", "4"); // the queue (capacity 2) is full: dropped
            dispatcher.message("t", "5");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "message() never waits");
            assertEquals(2, dispatcher.dropped());
            assertEquals(3, dispatcher.pending());

            release.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.pending() == 0);
            assertEquals(List.of("1", "2", "3"), handled);
        } finally {
            release.countDown();
            dispatcher.close();
        }
    }
}
