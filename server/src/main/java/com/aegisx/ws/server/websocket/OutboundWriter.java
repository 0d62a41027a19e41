package com.aegisx.ws.server.websocket;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
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
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile boolean overflowed;

    public OutboundWriter(CoreSession session, long maxQueuedBytes, Runnable onOverflow) {
        this.session = session;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onOverflow = onOverflow;
    }

    /** Queues one text frame; false when it was refused (closed socket or queue over its bound). */
    public boolean send(ByteBuffer utf8) {
        if (overflowed || !session.isOutputOpen()) {
            return false;
        }
        int size = utf8.remaining();
        if (queuedBytes.addAndGet(size) > maxQueuedBytes) {
            queuedBytes.addAndGet(-size);
            overflowed = true;
            onOverflow.run();
            return false;
        }
        session.sendFrame(new Frame(OpCode.TEXT, utf8.asReadOnlyBuffer()), new Release(size), false);
        return true;
    }

    public long queuedBytes() {
        return queuedBytes.get();
    }

    private final class Release implements Callback {
        private final int size;

        Release(int size) {
            this.size = size;
        }

        @Override
        public void succeeded() {
            queuedBytes.addAndGet(-size);
        }

        @Override
        public void failed(Throwable cause) {
            queuedBytes.addAndGet(-size);
        }
    }
}
