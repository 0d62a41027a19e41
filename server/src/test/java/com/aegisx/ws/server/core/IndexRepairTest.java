package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.auth.Identity;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A failed re-registration is retried with backoff until one pass succeeds (it used to be dropped). */
class IndexRepairTest {

    private final FakeIndex index = new FakeIndex();
    private final ConnectionHub hub = new ConnectionHub("node-a", new KeySchema("t"), index,
            new TopicSubscriptions(new FakeBroker()), Duration.ofMinutes(5));
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final IndexRepair repair = new IndexRepair(hub, Duration.ofMillis(200), Duration.ofSeconds(1), now::get);

    private long registrations() {
        return index.calls().stream().filter(c -> c.startsWith("register ")).count();
    }

    @Test
    void aFailedPassIsRetriedWithBackoffUntilItSucceeds() {
        LocalConnection a = new LocalConnection("ws_a", "main", new FakeOutbound(), new Identity("u", Set.of(), null),
                "127.0.0.1", "");
        hub.open(a).join();
        long before = registrations();

        assertTrue(repair.runIfDue().isDone(), "nothing to do before a loss is reported");
        assertEquals(before, registrations());

        repair.request("swept");
        index.failing(true);
        repair.runIfDue().join(); // never fails: the failure is kept as pending work
        assertEquals(before + 1, registrations());
        assertTrue(repair.pending(), "a failed pass stays pending (it used to be dropped)");

        index.failing(false);
        repair.runIfDue().join();
        assertEquals(before + 1, registrations(), "not before the backoff (200 ms) has passed");

        now.addAndGet(199);
        repair.runIfDue().join();
        assertEquals(before + 1, registrations());
        now.addAndGet(1);
        repair.runIfDue().join();
        assertEquals(before + 2, registrations());
        assertFalse(repair.pending());
        assertEquals(1, repair.passes());
    }

    @Test
    void theBackoffDoublesUpToItsBoundAndANewLossSkipsIt() {
        hub.open(new LocalConnection("ws_a", "main", new FakeOutbound(), Identity.anonymous(), "127.0.0.1", "")).join();
        index.failing(true);
        repair.request("swept");
        repair.runIfDue().join(); // the first attempt fails at once
        long[] waits = new long[4];
        for (int i = 0; i < waits.length; i++) {
            long calls = registrations();
            long waited = 0;
            while (registrations() == calls) { // how long until the next attempt is allowed
                now.addAndGet(100);
                waited += 100;
                repair.runIfDue().join();
            }
            waits[i] = waited;
        }
        assertEquals(200, waits[0]);
        assertEquals(400, waits[1]);
        assertEquals(800, waits[2]);
        assertEquals(1000, waits[3], "bounded by maxRetry");

        long calls = registrations();
        repair.request("swept again");
        repair.runIfDue().join();
        assertEquals(calls + 1, registrations(), "a new loss is repaired at once");
    }
}
