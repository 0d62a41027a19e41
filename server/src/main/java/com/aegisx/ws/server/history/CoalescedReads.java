package com.aegisx.ws.server.history;

import com.aegisx.ws.client.history.History;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Identical recovery reads share one Redis read. After a drain or a crash, hundreds of clients of
 * one channel resume on a node at once, nearly all from the same position (they were fed the same
 * stream): one history read per client would move the same entries from Redis hundreds of times.
 *
 * <p>A read may only serve requests made before it was sent: a request is made once its socket
 * holds the channel's live messages and the node's subscription is confirmed, and the no-gap
 * argument of {@link HistoryRecovery} needs the read to follow both. So while a read of
 * (channel, since, epoch, max) is in flight, identical requests wait for the <em>next</em> one,
 * sent when it completes, and all share that. At most one read per key is in flight, and a request
 * waits at most two reads.
 */
final class CoalescedReads {

    /** The read being coalesced ({@link History#read}). */
    @FunctionalInterface
    interface Reader {
        CompletableFuture<History.Read> read(String channel, long since, String epoch, int max);
    }

    private record Key(String channel, long since, String epoch, int max) {
    }

    /** The read in flight for a key, and the one its latecomers wait for. Guarded by {@link #batches}. */
    private static final class Batch {
        CompletableFuture<History.Read> next;
    }

    private final Reader reader;
    private final Map<Key, Batch> batches = new HashMap<>();

    CoalescedReads(Reader reader) {
        this.reader = reader;
    }

    CompletableFuture<History.Read> read(String channel, long since, String epoch, int max) {
        Key key = new Key(channel, since, epoch, max);
        synchronized (batches) {
            Batch batch = batches.get(key);
            if (batch != null) {
                if (batch.next == null) {
                    batch.next = new CompletableFuture<>();
                }
                return batch.next;
            }
            batches.put(key, new Batch());
        }
        CompletableFuture<History.Read> result = new CompletableFuture<>();
        send(key, result);
        return result;
    }

    /** Sends one read for {@code key}; when it completes, sends the next for those who came meanwhile. */
    private void send(Key key, CompletableFuture<History.Read> result) {
        CompletableFuture<History.Read> read;
        try {
            read = reader.read(key.channel(), key.since(), key.epoch(), key.max());
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        read.whenComplete((value, error) -> {
            CompletableFuture<History.Read> next;
            synchronized (batches) {
                Batch batch = batches.get(key);
                next = batch.next;
                batch.next = null;
                if (next == null) {
                    batches.remove(key);
                }
            }
            if (next != null) {
                send(key, next);
            }
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(value);
            }
        });
    }
}
