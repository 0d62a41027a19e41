package com.aegisx.ws.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.FrameHandler;
import org.eclipse.jetty.websocket.core.OpCode;

/**
 * One load-generator socket on Jetty's core WebSocket API: no thread of its own, frames parsed in
 * place (benchmark frames are never turned into Strings), pings answered.
 */
public final class BenchSocket implements FrameHandler {

    /** What every socket of one run shares. */
    public static final class Shared {
        final LatencyStats latency = new LatencyStats();
        final LongAdder received = new LongAdder();
        final LongAdder controlFrames = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    private final Shared shared;
    private volatile SequenceTracker tracker = new SequenceTracker();
    private volatile CoreSession session;
    final CompletableFuture<String> welcome = new CompletableFuture<>();
    private volatile CompletableFuture<Void> subscribed = new CompletableFuture<>();
    final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();

    public BenchSocket(Shared shared) {
        this.shared = shared;
    }

    public SequenceTracker tracker() {
        return tracker;
    }

    /** Starts a fresh sequence (a new stream, e.g. the ceiling run after the Redis run). */
    public void resetTracker(long firstSeq) {
        tracker = new SequenceTracker(firstSeq);
    }

    public CompletableFuture<Void> subscribe(String channel) {
        subscribed = new CompletableFuture<>();
        sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        return subscribed;
    }

    public void sendText(String text) {
        session.sendFrame(new Frame(OpCode.TEXT).setPayload(text), Callback.NOOP, false);
    }

    public CompletableFuture<CloseStatus> close() {
        CoreSession s = session;
        if (s != null) {
            s.close(CloseStatus.NORMAL, "bye", Callback.NOOP);
        }
        return closed;
    }

    @Override
    public void onOpen(CoreSession coreSession, Callback callback) {
        this.session = coreSession;
        callback.succeeded();
        coreSession.demand();
    }

    @Override
    public void onFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        try {
            if (op == OpCode.TEXT) {
                onText(frame.getPayload());
            } else if (op == OpCode.PING) {
                session.sendFrame(new Frame(OpCode.PONG).setPayload(BufferUtil.copy(frame.getPayload())),
                        Callback.NOOP, false);
            }
        } finally {
            callback.succeeded();
            if (op != OpCode.CLOSE) {
                session.demand();
            }
        }
    }

    private void onText(ByteBuffer payload) {
        if (payload == null) {
            return;
        }
        long t = Payloads.sentMicros(payload);
        long seq = Payloads.seq(payload);
        if (t >= 0 && seq >= 0 && Payloads.isBench(payload)) {
            shared.latency.record(Payloads.epochMicros() - t);
            tracker.accept(seq);
            shared.received.increment();
            return;
        }
        shared.controlFrames.increment();
        String text = StandardCharsets.UTF_8.decode(payload.slice()).toString();
        if (text.contains("\"type\":\"welcome\"")) {
            welcome.complete(text);
        } else if (text.contains("\"type\":\"subscribed\"")) {
            subscribed.complete(null);
        } else if (text.contains("\"type\":\"error\"")) {
            shared.errors.increment();
            subscribed.completeExceptionally(new IllegalStateException(text));
        }
    }

    @Override
    public void onError(Throwable cause, Callback callback) {
        welcome.completeExceptionally(cause);
        subscribed.completeExceptionally(cause);
        callback.succeeded();
    }

    @Override
    public void onClosed(CloseStatus closeStatus, Callback callback) {
        welcome.completeExceptionally(new IllegalStateException("closed: " + closeStatus));
        subscribed.completeExceptionally(new IllegalStateException("closed: " + closeStatus));
        closed.complete(closeStatus);
        callback.succeeded();
    }
}
