package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.server.auth.Identity;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalConnectionTest {

    private static LocalConnection socket() {
        return new LocalConnection("ws_test", "main", new FakeOutbound(), Identity.anonymous(), "127.0.0.1", "");
    }

    @Test
    void channelsAreASnapshotChangedOnlyThroughAddAndRemove() {
        LocalConnection connection = socket();
        assertEquals(Set.of(), connection.channels());
        assertTrue(connection.addChannel("a"));
        assertFalse(connection.addChannel("a"));
        Set<String> before = connection.channels();
        assertTrue(connection.addChannel("b"));
        assertTrue(connection.addChannel("c"));
        assertEquals(Set.of("a"), before, "a snapshot does not change afterwards");
        assertEquals(Set.of("a", "b", "c"), connection.channels());
        assertThrows(UnsupportedOperationException.class, () -> connection.channels().add("d"));

        assertTrue(connection.removeChannel("b"));
        assertFalse(connection.removeChannel("b"));
        assertEquals(Set.of("a", "c"), connection.channels());
        assertTrue(connection.removeChannel("a"));
        assertTrue(connection.removeChannel("c"));
        assertEquals(Set.of(), connection.channels());
    }

    @Test
    void stepsRunInOrderAndNeverUnderTheConnectionsMonitor() throws Exception {
        LocalConnection connection = socket();
        java.util.concurrent.CompletableFuture<Void> gate = new java.util.concurrent.CompletableFuture<>();
        java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        connection.serially(() -> gate.thenRun(() -> order.add("first")));
        java.util.concurrent.CompletableFuture<Boolean> second = connection.serially(() -> {
            order.add("second");
            return java.util.concurrent.CompletableFuture.completedFuture(Thread.holdsLock(connection));
        });
        assertFalse(second.isDone(), "waits for the first step");
        // Completing the first step from another thread runs the second there, outside the monitor.
        Thread other = new Thread(() -> gate.complete(null));
        other.start();
        other.join();
        assertEquals(java.util.List.of("first", "second"), order);
        assertFalse(second.get(), "a step never runs holding the connection's monitor");
        java.util.concurrent.CompletableFuture<Boolean> now = connection.serially(() ->
                java.util.concurrent.CompletableFuture.completedFuture(Thread.holdsLock(connection)));
        assertFalse(now.get(), "nor when nothing is pending and it runs on the caller's thread");
    }

    @Test
    void aFailedStepDoesNotStopTheNextOne() throws Exception {
        LocalConnection connection = socket();
        connection.serially(() -> java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException("x")));
        assertEquals("ran", connection.serially(() -> java.util.concurrent.CompletableFuture.completedFuture("ran")).get());
    }
}
