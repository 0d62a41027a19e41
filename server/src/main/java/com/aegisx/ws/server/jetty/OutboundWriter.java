package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.core.Outbound;
import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * The bounded outbound side of one socket. Text frames are written straight to the socket by the
 * sending thread when nothing waits for it ({@link SocketWriter}); what the socket cannot take at
 * once waits, and past the bound the socket is reported as a slow consumer instead of letting
 * memory grow.
 *
 * <p>The payload buffer is shared by every socket that receives the same message (it is encoded
 * once per node); the sending thread frames it once ({@link FrameComposer}) and writes that frame
 * to each socket, so a delivery allocates nothing unless its socket is behind.
 *
 * <p>A socket with an extension negotiated (permessage-deflate, off by default) takes the
 * session's chain instead: its frames must be compressed. They still end in the same writer.
 */
public final class OutboundWriter implements Outbound {

    private final CoreSession session;
    /** The socket's writer (null only for a connection not made by {@link DirectHandshaker}). */
    private final SocketWriter writer;
    /** True when text frames go to {@link #writer} directly; false: through the session's chain. */
    private final boolean direct;
    private final long maxQueuedBytes;
    private final Runnable onOverflow;
    private volatile boolean overflowed;
    private volatile boolean closed;

    public OutboundWriter(CoreSession session, long maxQueuedBytes, Runnable onOverflow) {
        this.session = session;
        WebSocketCoreSession core = session instanceof WebSocketCoreSession c ? c : null;
        this.writer = core != null && core.getConnection() instanceof DirectConnection connection
                ? connection.writer() : null;
        this.direct = writer != null && core.getNegotiatedExtensions().isEmpty();
        this.maxQueuedBytes = maxQueuedBytes;
        this.onOverflow = onOverflow;
    }

    /**
     * Sends one text frame; false when it was refused (closed socket or queue over its bound).
     * {@code batch}: more frames follow for this socket from this thread; this one waits for them
     * and they leave in one write.
     */
    @Override
    public boolean send(ByteBuffer utf8, boolean batch) {
        if (overflowed || closed) {
            return false;
        }
        if (!direct) {
            return sendThroughSession(utf8, batch);
        }
        FrameComposer composer = FrameComposer.local();
        OutboundWriter gathering = composer.gatheringFor();
        if (gathering != null && gathering != this) {
            gathering.writeGathered(composer); // a batch left open by its caller: never held back
        }
        if (batch) {
            composer.gather(this, utf8);
            return true;
        }
        if (gathering == this) {
            composer.gather(this, utf8);
            return writeGathered(composer);
        }
        return outcome(writer.write(composer.frameOf(utf8), maxQueuedBytes));
    }

    private boolean writeGathered(FrameComposer composer) {
        try {
            return outcome(writer.write(composer.gathered(), maxQueuedBytes));
        } finally {
            composer.clearGathered();
        }
    }

    private boolean outcome(SocketWriter.Outcome outcome) {
        if (outcome == SocketWriter.Outcome.ACCEPTED) {
            return true;
        }
        if (outcome == SocketWriter.Outcome.OVER_BOUND && !overflowed) {
            overflowed = true;
            onOverflow.run();
        }
        return false;
    }

    /** With an extension: through the session's chain (Jetty counts nothing here, the writer does). */
    private boolean sendThroughSession(ByteBuffer utf8, boolean batch) {
        if (queuedBytes() > maxQueuedBytes) {
            overflowed = true;
            onOverflow.run();
            return false;
        }
        session.sendFrame(new Frame(OpCode.TEXT, utf8.asReadOnlyBuffer()), Callback.NOOP, batch);
        return true;
    }

    /**
     * No frame is accepted from now on (the socket is closing or gone). Until this is called, a
     * frame sent to a socket whose peer has just gone is refused by its {@link SocketWriter}.
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
     * True when text frames are written straight to the socket (the default, no extension
     * negotiated); false when they take the session's chain. {@code JettyInternalsIT} pins it.
     */
    public boolean isDirect() {
        return direct;
    }

    /** Jetty's session of this socket (tests look at what it keeps). */
    public CoreSession session() {
        return session;
    }

    @Override
    public long queuedBytes() {
        return writer == null ? 0 : writer.queuedBytes();
    }
}
