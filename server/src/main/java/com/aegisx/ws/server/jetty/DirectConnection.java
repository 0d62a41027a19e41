package com.aegisx.ws.server.jetty;

import java.util.concurrent.Executor;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.WebSocketConnection;
import org.eclipse.jetty.websocket.core.WebSocketCoreSession;

/**
 * Jetty's WebSocket connection with its output taken over by a {@link SocketWriter}: reading,
 * parsing, the session's state and the close handshake stay Jetty's; every frame the session
 * sends (close, ping, pong, frames of an extension) is written by the writer, which the node's
 * data frames reach directly. Jetty's own frame flusher is built by the superclass but never
 * gets a frame, so the writer is the endpoint's only writer.
 *
 * <p>Made by {@link DirectHandshaker} for every RFC 6455 upgrade; {@code JettyInternalsIT} pins
 * the Jetty methods this overrides.
 */
final class DirectConnection extends WebSocketConnection implements java.util.function.Consumer<Throwable> {

    private final SocketWriter writer;
    private final WebSocketCoreSession session;

    DirectConnection(EndPoint endPoint, Executor executor, Scheduler scheduler, ByteBufferPool pool,
                     WebSocketCoreSession session, boolean useSend) {
        super(endPoint, executor, scheduler, pool, session);
        this.session = session;
        // The connection itself is the writer's failure callback: no lambda object per socket.
        this.writer = new SocketWriter(endPoint, this, useSend);
    }

    /** A write failed: Jetty's session closes the connection as it would for its own flusher. */
    @Override
    public void accept(Throwable writeFailure) {
        session.processConnectionError(writeFailure, Callback.NOOP);
    }

    SocketWriter writer() {
        return writer;
    }

    /** Every frame of the session: written in order behind the node's data frames. */
    @Override
    public void enqueueFrame(OutgoingEntry entry) {
        writer.write(FrameHeader.whole(entry.getFrame()), entry.getCallback(),
                entry.getFrame().getOpCode() == OpCode.CLOSE);
    }

    @Override
    public void onClose(Throwable cause) {
        try {
            super.onClose(cause);
        } finally {
            writer.closed(cause);
        }
    }
}
