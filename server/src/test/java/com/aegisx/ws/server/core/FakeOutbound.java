package com.aegisx.ws.server.core;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** An {@link Outbound} that keeps what it is sent, for unit tests of the core. */
public class FakeOutbound implements Outbound {

    private final List<String> frames = new ArrayList<>();
    private volatile boolean open = true;
    private volatile int closeCode;
    private volatile boolean refusing;
    private volatile long queued;

    @Override
    public synchronized boolean send(ByteBuffer utf8, boolean batch) {
        if (!open || refusing) {
            return false;
        }
        ByteBuffer view = utf8.asReadOnlyBuffer();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        frames.add(new String(bytes, StandardCharsets.UTF_8));
        return true;
    }

    @Override
    public void ping() {
    }

    @Override
    public void close(int code, String reason) {
        open = false;
        closeCode = code;
    }

    @Override
    public void abort() {
        open = false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public long queuedBytes() {
        return queued;
    }

    /** From now on the queue looks this full (a socket behind, for conflation). */
    public void queued(long bytes) {
        queued = bytes;
    }

    /** From now on every frame is refused, as by a slow consumer's full queue. */
    public void refuse() {
        refusing = true;
    }

    public synchronized List<String> frames() {
        return List.copyOf(frames);
    }

    public int closeCode() {
        return closeCode;
    }
}
