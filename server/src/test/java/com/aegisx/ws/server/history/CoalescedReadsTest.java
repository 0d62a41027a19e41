package com.aegisx.ws.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.aegisx.ws.client.history.History;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class CoalescedReadsTest {

    /** A reader whose reads complete when the test says so. */
    private static final class FakeReader implements CoalescedReads.Reader {
        final List<String> calls = new ArrayList<>();
        final List<CompletableFuture<History.Read>> pending = new ArrayList<>();

        @Override
        public CompletableFuture<History.Read> read(String channel, long since, String epoch, int max) {
            calls.add(channel + "@" + since + "/" + epoch);
            CompletableFuture<History.Read> read = new CompletableFuture<>();
            pending.add(read);
            return read;
        }
    }

    private static History.Read read(long top) {
        return new History.Read("e", top, true, List.of());
    }

    @Test
    void identicalRequestsDuringARead_shareTheNextOne_neverTheOneAlreadySent() {
        FakeReader reader = new FakeReader();
        CoalescedReads reads = new CoalescedReads(reader);
        CompletableFuture<History.Read> first = reads.read("c", 5, "e", 100);
        List<CompletableFuture<History.Read>> later = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            later.add(reads.read("c", 5, "e", 100));
        }
        assertEquals(1, reader.calls.size(), "one read in flight");

        reader.pending.get(0).complete(read(7));
        assertEquals(7, first.join().top());
        // The requests made while it was in flight may have missed what it read: a second read serves them.
        assertTrue(later.stream().noneMatch(CompletableFuture::isDone));
        assertEquals(2, reader.calls.size());
        reader.pending.get(1).complete(read(9));
        History.Read shared = later.get(0).join();
        assertEquals(9, shared.top());
        later.forEach(f -> assertSame(shared, f.join()));

        // Nothing in flight any more: the next request reads again.
        reads.read("c", 5, "e", 100);
        assertEquals(3, reader.calls.size());
    }

    @Test
    void differentPositionsOrChannelsAreNotShared_andAFailureReachesItsOwnWaitersOnly() {
        FakeReader reader = new FakeReader();
        CoalescedReads reads = new CoalescedReads(reader);
        CompletableFuture<History.Read> a = reads.read("c", 5, "e", 100);
        CompletableFuture<History.Read> b = reads.read("c", 6, "e", 100);
        CompletableFuture<History.Read> c = reads.read("d", 5, "e", 100);
        CompletableFuture<History.Read> d = reads.read("c", 5, null, 100);
        assertEquals(List.of("c@5/e", "c@6/e", "d@5/e", "c@5/null"), reader.calls);

        CompletableFuture<History.Read> waiting = reads.read("c", 5, "e", 100);
        reader.pending.get(0).completeExceptionally(new IllegalStateException("Redis down"));
        assertTrue(a.isCompletedExceptionally());
        assertFalse(waiting.isDone(), "its own read is under way");
        reader.pending.get(4).complete(read(1));
        assertEquals(1, waiting.join().top());
        assertFalse(b.isDone() || c.isDone() || d.isDone());
    }
}
