package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.ChannelPattern;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latest-value channels (CONFLATE_CHANNELS: progress, dashboards): a socket that falls behind
 * (more than CONFLATE_QUEUE_BYTES waiting in its outbound queue) is not sent every message of such
 * a channel; the newest one waits here, replacing older ones, and is sent once the socket has
 * caught up ({@link #flush}, run every few milliseconds). So a stalled reader costs one message
 * per channel and is not disconnected for these channels; on any other channel the bounded queue
 * and its close code (4000) stay.
 *
 * <p>Order: once a channel has a message waiting for a socket, newer ones of that channel replace
 * it rather than overtake it; sending and holding for one socket happen under that socket's lock
 * here, so the held (older) message never leaves after a newer one.
 */
public final class Conflation {

    private final List<ChannelPattern> patterns;
    private final long thresholdBytes;
    private final Map<String, Boolean> covered = new ConcurrentHashMap<>();
    /** Per socket that fell behind: channel -> newest frame waiting. Kept until the socket closes. */
    private final Map<LocalConnection, Map<String, ByteBuffer>> held = new ConcurrentHashMap<>();
    private final AtomicLong replaced = new AtomicLong();

    public Conflation(List<ChannelPattern> patterns, long thresholdBytes) {
        this.patterns = List.copyOf(patterns);
        this.thresholdBytes = thresholdBytes;
    }

    public boolean covers(String channel) {
        if (channel == null || patterns.isEmpty()) {
            return false;
        }
        if (covered.size() > 10_000) {
            covered.clear(); // channel names come and go; the cache must not grow forever
        }
        return covered.computeIfAbsent(channel, matcher);
    }

    /** Made once: a capturing lambda in {@link #covers} was an allocation per delivery. */
    private final java.util.function.Function<String, Boolean> matcher = this::matchesAny;

    private Boolean matchesAny(String channel) {
        for (ChannelPattern pattern : patterns) {
            if (pattern.matches(channel)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends {@code frame} (the newest message of {@code channel} for this socket) or, when the socket
     * is behind, keeps it in place of the one waiting. Returns true when it was sent.
     */
    boolean sendOrHold(LocalConnection member, String channel, ByteBuffer frame) {
        Map<String, ByteBuffer> waiting = held.get(member);
        if (waiting == null) {
            if (member.outbound().queuedBytes() <= thresholdBytes) {
                return member.send(frame);
            }
            waiting = held.computeIfAbsent(member, m -> new ConcurrentHashMap<>(2));
        }
        synchronized (waiting) {
            if (waiting.containsKey(channel) || member.outbound().queuedBytes() > thresholdBytes) {
                if (waiting.put(channel, frame) != null) {
                    replaced.incrementAndGet();
                }
                return false;
            }
            return member.send(frame);
        }
    }

    /** Sends what waits for sockets that have caught up; forgets closed sockets. */
    public void flush() {
        for (Map.Entry<LocalConnection, Map<String, ByteBuffer>> entry : held.entrySet()) {
            LocalConnection member = entry.getKey();
            Map<String, ByteBuffer> waiting = entry.getValue();
            if (!member.isOpen()) {
                held.remove(member);
                continue;
            }
            synchronized (waiting) {
                if (waiting.isEmpty() || member.outbound().queuedBytes() > thresholdBytes) {
                    continue;
                }
                for (String channel : List.copyOf(waiting.keySet())) {
                    member.send(waiting.remove(channel));
                }
            }
        }
    }

    /** Messages skipped for sockets that were behind (a newer one took their place). */
    public long replaced() {
        return replaced.get();
    }
}
