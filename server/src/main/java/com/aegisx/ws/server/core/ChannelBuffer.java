package com.aegisx.ws.server.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Live messages of one channel held back for one socket while its history is replayed: the
 * switch from replay to live must have no gap and no duplicate, so what arrives during the read
 * waits here and is released (those after the replayed position) right after the replay, under
 * this buffer's lock, while the channel's dispatch worker waits for it.
 *
 * <p>Messages the replay already covered may still be on their way (in Redis' socket or the
 * dispatch queue) when the buffer is released; after the release it drops those ({@code stale}),
 * until the first newer one passes: from then on the channel's order guarantees none follows.
 */
public final class ChannelBuffer {

    /** More live messages than this during one replay: the socket is closed rather than lose any. */
    static final int MAX_HELD = 10_000;

    /** One held message: the text the client gets and its shared frame. */
    public record Held(String text, ByteBuffer frame) {
    }

    /** What the fan-out does with a live message for this socket. */
    enum Decision { HELD, DROP, SEND }

    private final List<Held> held = new ArrayList<>();
    private boolean open = true;
    private boolean overflowed;
    private Predicate<String> stale;

    /** Holds the message while replaying; after the release, drops what the replay covered. */
    synchronized Decision offer(String text, ByteBuffer frame) {
        if (open) {
            if (held.size() >= MAX_HELD) {
                overflowed = true;
            } else {
                held.add(new Held(text, frame.duplicate()));
            }
            return Decision.HELD;
        }
        if (stale != null && stale.test(text)) {
            return Decision.DROP;
        }
        stale = null;
        return Decision.SEND;
    }

    /**
     * Hands the held messages to {@code release} (which sends them) and stops holding, both under
     * the lock, so no live message can overtake them. Returns false when messages were dropped
     * for the bound: the caller must close the socket instead of leaving a silent gap.
     */
    public synchronized boolean release(Consumer<List<Held>> release, Predicate<String> stale) {
        try {
            release.accept(List.copyOf(held));
        } finally {
            // Whatever {@code release} threw, the buffer opens: one that stayed shut would hold
            // every later live message of the channel for good (a silent, growing gap).
            held.clear();
            open = false;
            this.stale = stale;
        }
        return !overflowed;
    }
}
