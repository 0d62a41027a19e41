package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.core.Outbound;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * The bounded outbound queue of one socket. Frames go to Jetty's flusher without blocking (Jetty
 * gathers frames that queue up into one write); this class counts the bytes not yet written and,
 * past the bound, reports a slow consumer instead of letting memory grow.
 *
 * <p>The payload buffer is shared by every socket that receives the same message (it is encoded
 * once per node); each frame gets its own read-only view of it.
 *
 * <p>Text frames go straight to the connection's frame flusher, past the session's own outgoing
 * chain (frame validation, session state, a second flusher, fragmentation, the extension stack):
 * a profile of a 1,000-socket broadcast put that chain at a quarter of the node's user CPU, and
 * for a whole, valid, uncompressed text frame it does nothing. It is safe because every data
 * frame of this server takes this path (so they keep their order), extensions are off by default
 * (with permessage-deflate on, frames take the session path and get compressed), and the
 * flusher itself refuses frames once a close frame is queued or the connection failed.
 */
public final class OutboundWriter implements Outbound {

    private final CoreSession session;
    /** The connection's frame flusher entry point; null: frames take the session's chain. */
    private final WebSocketConnection direct;
    private final long maxQueuedBytes;
    private final Runnable onOverflow;
    /** A field with an updater rather than an AtomicLong: one object less per socket. */
    private static final AtomicLongFieldUpdater<OutboundWriter> QUEUED =
            AtomicLongFieldUpdater.newUpdater(OutboundWriter.class, "queuedBytes");
    private volatile long queuedBytes;
    private volatile boolean overflowed;
    private volatile boolean closed;
    private Release lastRelease;

    public OutboundWriter(CoreSession session, long maxQueuedBytes, Runnable onOverflow) {
        this.session = session;
        this.direct = session instanceof WebSocketCoreSession core
                && core.getNegotiatedExtensions().isEmpty() ? core.getConnection() : null;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onOverflow = onOverflow;
    }

    /**
     * Queues one text frame; false when it was refused (closed socket or queue over its bound).
     * {@code batch}: Jetty's batch mode, the frame waits in Jetty's batch buffer for the next frame
     * sent without it (a refused frame closes the socket, which flushes what waits).
     */
    @Override
    public boolean send(ByteBuffer utf8, boolean batch) {
        if (overflowed || closed) {
            return false;
        }
        int size = utf8.remaining();
        if (QUEUED.addAndGet(this, size) > maxQueuedBytes) {
            QUEUED.addAndGet(this, -size);
            overflowed = true;
            onOverflow.run();
            return false;
        }
        Frame frame = new Frame(OpCode.TEXT, utf8.asReadOnlyBuffer());
        if (direct != null) {
            direct.enqueueFrame(new OutgoingEntry.Builder(frame, release(size)).batch(batch).build());
        } else {
            session.sendFrame(frame, release(size), batch);
        }
        return true;
    }

    /**
     * No frame is accepted from now on (the socket is closing or gone). Until this is called, a
     * frame sent to a socket whose peer has just gone is refused by Jetty's flusher, which gives
     * its bytes back through the callback.
     */
    public void refuseFrames() {
        closed = true;
    }

    @Override
    public void ping() {
        if (session.isOutputOpen()) {
            session.sendFrame(new Frame(OpCode.PING), Callback.NOOP, false);
        }
    }

    @Override
    public void close(int code, String reason) {
        closed = true;
        session.close(code, reason, Callback.NOOP);
    }

    @Override
    public void abort() {
        closed = true;
        session.abort();
    }

    @Override
    public boolean isOpen() {
        return session.isOutputOpen();
    }

    /**
     * True when text frames go straight to the connection's flusher (the default, no extension
     * negotiated); false when they take the session's chain. {@code JettyInternalsIT} pins it.
     */
    public boolean isDirect() {
        return direct != null;
    }

    /** Jetty's session of this socket (tests look at what it keeps). */
    public CoreSession session() {
        return session;
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

    @Override
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
