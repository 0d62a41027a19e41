package com.aegisx.ws.server.websocket;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * The bounded outbound queue of one socket. Frames go to Jetty's flusher without blocking (Jetty
 * gathers frames that queue up into one write); this class counts the bytes not yet written and,
 * past the bound, reports a slow consumer instead of letting memory grow.
 *
 * <p>The payload buffer is shared by every socket that receives the same message (it is encoded
 * once per node); each frame gets its own read-only view of it.
 */
public final class OutboundWriter {

    private final CoreSession session;
    private final long maxQueuedBytes;
    private final Runnable onOverflow;
    /** A field with an updater rather than an AtomicLong: one object less per socket. */
    private static final AtomicLongFieldUpdater<OutboundWriter> QUEUED =
            AtomicLongFieldUpdater.newUpdater(OutboundWriter.class, "queuedBytes");
    private volatile long queuedBytes;
    private volatile boolean overflowed;
    private Release lastRelease;

    public OutboundWriter(CoreSession session, long maxQueuedBytes, Runnable onOverflow) {
        this.session = session;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onOverflow = onOverflow;
    }

    /**
     * Queues one text frame; false when it was refused (closed socket or queue over its bound).
     * {@code batch}: Jetty's batch mode, the frame waits in Jetty's batch buffer for the next frame
     * sent without it (a refused frame closes the socket, which flushes what waits).
     */
    public boolean send(ByteBuffer utf8, boolean batch) {
        if (overflowed || !session.isOutputOpen()) {
            return false;
        }
        int size = utf8.remaining();
        if (QUEUED.addAndGet(this, size) > maxQueuedBytes) {
            QUEUED.addAndGet(this, -size);
            overflowed = true;
            onOverflow.run();
            return false;
        }
        session.sendFrame(new Frame(OpCode.TEXT, utf8.asReadOnlyBuffer()), release(size), batch);
        return true;
    }

    /**
     * The callback that gives the frame's bytes back. It holds only the size, so consecutive frames
     * of one size (a fan-out's frames are all the same message) share one instance instead of
     * allocating one per frame. A race may allocate an extra one, never a wrong one.
     */
    private Release release(int size) {
        Release last = lastRelease;
        if (last == null || last.size != size) {
            last = new Release(size);
            lastRelease = last;
        }
        return last;
    }

    public long queuedBytes() {
        return queuedBytes;
    }

    private final class Release implements Callback {
        private final int size;

        Release(int size) {
            this.size = size;
        }

        @Override
        public void succeeded() {
            QUEUED.addAndGet(OutboundWriter.this, -size);
        }

        @Override
        public void failed(Throwable cause) {
            QUEUED.addAndGet(OutboundWriter.this, -size);
        }
    }
}
