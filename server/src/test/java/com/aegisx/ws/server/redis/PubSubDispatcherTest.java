package com.aegisx.ws.server.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PubSubDispatcherTest {

    @Test
    void messagesGoToAWorkerInTheirOrder() {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        AtomicReference<Thread> handledOn = new AtomicReference<>();
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(2, 0, (topic, payloads) -> {
            handledOn.set(Thread.currentThread());
            got.addAll(payloads);
        })) {
            for (int i = 0; i < 100; i++) {
                dispatcher.message("ch:1", "m" + i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> got.size() == 100);
            assertNotEquals(Thread.currentThread(), handledOn.get());
            for (int i = 0; i < 100; i++) {
                assertEquals("m" + i, got.get(i));
            }
        }
    }

    @Test
    void allocatedBytesCountWhatTheWorkersAllocate() {
        List<byte[]> keep = Collections.synchronizedList(new ArrayList<>());
        try (PubSubDispatcher dispatcher = new PubSubDispatcher(1, 0, (topic, payloads) -> keep.add(new byte[1 << 20]))) {
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
}
