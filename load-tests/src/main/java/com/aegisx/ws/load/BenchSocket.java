package com.aegisx.ws.load;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One load-generator socket: a non-blocking channel owned by one {@link Clients} event loop, which
 * reads it, parses its frames in place in the loop's read buffer (benchmark frames never become
 * Strings or objects) and answers pings. Nothing here allocates per benchmark frame.
 */
public final class BenchSocket {

    /** What every socket of one run shares. */
    public static final class Shared {
        final LatencyStats latency = new LatencyStats();
        final LongAdder received = new LongAdder();
        final LongAdder controlFrames = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    private enum State { CONNECTING, HANDSHAKE, OPEN, CLOSING, CLOSED }

    /** Largest frame accepted from the node; a benchmark frame is a few hundred bytes. */
    static final int MAX_FRAME = 1 << 20;
    private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

    private final Shared shared;
    private final Clients.Loop loop;
    private final URI uri;
    private final SocketChannel channel;
    private SelectionKey key;
    private volatile State state = State.CONNECTING;
    /** Bytes of an incomplete frame (or response head) kept between two reads; loop thread only. */
    private byte[] leftover;
    /** Parts of a fragmented text message (rare); loop thread only. */
    private java.io.ByteArrayOutputStream fragments;
    /** Frames the socket would not take at once, written when it is writable again; guarded by this. */
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>(2);
    /** The receive time of the read being parsed (one clock read per network read). */
    private long readMicros;
    private volatile SequenceTracker tracker = new SequenceTracker();
    final CompletableFuture<String> welcome = new CompletableFuture<>();
    private volatile CompletableFuture<Void> subscribed = new CompletableFuture<>();
    /** Completes with the close code once the socket is closed (1006: without a close frame). */
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final WsFrames.Handler frames = this::onFrame;

    BenchSocket(Shared shared, Clients.Loop loop, URI uri, SocketChannel channel) {
        this.shared = shared;
        this.loop = loop;
        this.uri = uri;
        this.channel = channel;
    }

    public SequenceTracker tracker() {
        return tracker;
    }

    /** Starts a fresh sequence (a new stream, e.g. the ceiling run after the Redis run). */
    public void resetTracker(long firstSeq) {
        tracker = new SequenceTracker(firstSeq);
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    public CompletableFuture<Void> subscribe(String channelName) {
        subscribed = new CompletableFuture<>();
        sendText("{\"type\":\"subscribe\",\"channel\":\"" + channelName + "\"}");
        return subscribed;
    }

    public void sendText(String text) {
        send(WsFrames.clientFrame(WsFrames.TEXT, text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Starts the close handshake; completes when the node's close frame came back. */
    public CompletableFuture<Integer> close() {
        if (state == State.OPEN) {
            state = State.CLOSING;
            send(WsFrames.clientFrame(WsFrames.CLOSE,
                    WsFrames.closePayload(1000, "bye".getBytes(StandardCharsets.UTF_8))));
        } else if (state != State.CLOSING) {
            terminate(1006, null);
        }
        return closed;
    }

    // ------------------------------------------------------------------ event loop side

    /** On the loop: the channel was registered under {@code key}. */
    void registered(SelectionKey key) throws IOException {
        this.key = key;
        if (channel.isConnected()) {
            connected();
        } else {
            key.interestOps(SelectionKey.OP_CONNECT);
        }
    }

    void onConnectable() throws IOException {
        if (channel.finishConnect()) {
            connected();
        }
    }

    private void connected() throws IOException {
        state = State.HANDSHAKE;
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        key.interestOps(SelectionKey.OP_READ);
        send(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    /** On the loop: reads what arrived into the loop's {@code buffer} and handles every complete frame. */
    void onReadable(ByteBuffer buffer) {
        buffer.clear();
        if (leftover != null) {
            buffer.put(leftover);
            leftover = null;
        }
        int read;
        try {
            read = channel.read(buffer);
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (read < 0) {
            terminate(1006, null);
            return;
        }
        buffer.flip();
        readMicros = Payloads.epochMicros();
        try {
            if (state == State.HANDSHAKE && !readResponseHead(buffer)) {
                keep(buffer);
                return;
            }
            WsFrames.read(buffer, MAX_FRAME, frames);
            if (state != State.CLOSED) {
                keep(buffer);
            }
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void keep(ByteBuffer buffer) {
        if (buffer.hasRemaining()) {
            if (buffer.remaining() > MAX_FRAME + 14) {
                throw new IllegalStateException("incomplete frame or response head of over " + MAX_FRAME + " bytes");
            }
            leftover = new byte[buffer.remaining()];
            buffer.get(leftover);
        }
    }

    /** True once the 101 response head was consumed; false while it is incomplete. */
    private boolean readResponseHead(ByteBuffer buffer) {
        int end = Payloads.indexOf(buffer, HEADERS_END, buffer.position());
        if (end < 0) {
            return false;
        }
        byte[] head = new byte[end - buffer.position()];
        buffer.get(head);
        buffer.position(end + HEADERS_END.length);
        String response = new String(head, StandardCharsets.ISO_8859_1);
        if (!response.startsWith("HTTP/1.1 101")) {
            throw new IllegalStateException("upgrade refused: " + response.lines().findFirst().orElse(""));
        }
        state = State.OPEN;
        return true;
    }

    private void onFrame(byte opcode, boolean fin, ByteBuffer payload) {
        switch (opcode) {
            case WsFrames.TEXT -> {
                if (fin) {
                    onText(payload);
                } else {
                    fragments = new java.io.ByteArrayOutputStream();
                    append(payload);
                }
            }
            case WsFrames.CONTINUATION -> {
                if (fragments != null) {
                    append(payload);
                    if (fin) {
                        byte[] whole = fragments.toByteArray();
                        fragments = null;
                        onText(ByteBuffer.wrap(whole));
                    }
                }
            }
            case WsFrames.PING -> {
                byte[] data = new byte[payload.remaining()];
                payload.get(payload.position(), data);
                send(WsFrames.clientFrame(WsFrames.PONG, data));
            }
            case WsFrames.CLOSE -> {
                int code = WsFrames.closeCode(payload);
                if (state == State.OPEN) {
                    state = State.CLOSING;
                    send(WsFrames.clientFrame(WsFrames.CLOSE, WsFrames.closePayload(code, new byte[0])));
                }
                terminate(code, null);
            }
            default -> { }
        }
    }

    private void append(ByteBuffer payload) {
        byte[] part = new byte[payload.remaining()];
        payload.get(payload.position(), part);
        fragments.writeBytes(part);
    }

    private void onText(ByteBuffer payload) {
        long t = Payloads.sentMicros(payload);
        long seq = Payloads.seq(payload);
        if (t >= 0 && seq >= 0 && Payloads.isBench(payload)) {
            shared.latency.record(readMicros - t);
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

    void onWritable() {
        synchronized (this) {
            try {
                while (!outbound.isEmpty()) {
                    ByteBuffer next = outbound.peek();
                    channel.write(next);
                    if (next.hasRemaining()) {
                        return;
                    }
                    outbound.poll();
                }
                if (key.isValid()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    /** Writes now when nothing waits; otherwise queues and lets the loop write when the socket drains. */
    private void send(ByteBuffer frame) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            try {
                if (outbound.isEmpty()) {
                    channel.write(frame);
                }
                if (frame.hasRemaining()) {
                    outbound.add(frame);
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    loop.wakeup();
                }
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    void fail(Throwable cause) {
        shared.errors.increment();
        terminate(1006, cause);
    }

    /** The generator is shutting down: closes the channel without counting an error. */
    void abandon() {
        terminate(1006, null);
    }

    private void terminate(int code, Throwable cause) {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            outbound.clear();
        }
        leftover = null;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Throwable reason = cause != null ? cause : new IllegalStateException("closed: " + code);
        welcome.completeExceptionally(reason);
        subscribed.completeExceptionally(reason);
        closed.complete(code);
    }
}
