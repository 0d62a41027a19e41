package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.ChannelPattern;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Latest-value channels (CONFLATE_CHANNELS: progress, dashboards): a socket that falls behind
 * (more than CONFLATE_QUEUE_BYTES waiting in its outbound queue) is not sent every message of such
 * a channel; the newest one waits here, replacing older ones, and is sent once the socket has
 * caught up ({@link #flush}, every {@value #FLUSH_DELAY_MILLIS} ms while any socket is held here,
 * and not at all otherwise, so a node with no slow socket never wakes for it). So a stalled reader costs one message
 * per channel and is not disconnected for these channels; on any other channel the bounded queue
 * and its close code (4000) stay.
 *
 * <p>Order: once a channel has a message waiting for a socket, newer ones of that channel replace
 * it rather than overtake it; sending and holding for one socket happen under that socket's lock
 * here, so the held (older) message never leaves after a newer one.
 *
 * <p>A message sent as not replaceable (a route's terminal event: {@code report_completed}, a
 * failure's {@code error}) is never held: the one waiting for its channel is queued first, then
 * it, so it arrives in order; it grows the socket's queue by itself only, and a socket that is
 * past {@code WEBSOCKET_MAX_OUTBOUND_BYTES} even so is closed (4000) rather than losing it silently.
 */
public final class Conflation implements ChannelSend {

    private static final Logger log = LoggerFactory.getLogger(Conflation.class);

    /** How soon what waits here is looked at again: a socket that has caught up gets it within this. */
    static final long FLUSH_DELAY_MILLIS = 50;

    private final List<ChannelPattern> patterns;
    private final long thresholdBytes;
    private final ScheduledExecutorService scheduler;
    /** Guards {@link #flushDue}; taken after an entry of {@link #held} is made and at the end of each flush. */
    private final Object flushLock = new Object();
    /** A flush is scheduled or running (so one follows any entry of {@link #held} made before it ends). */
    private boolean flushDue;
    private final Map<String, Boolean> covered = new ConcurrentHashMap<>();
    /** Per socket that fell behind: channel -> newest frame waiting. Kept until the socket closes. */
    private final Map<LocalConnection, Map<String, ByteBuffer>> held = new ConcurrentHashMap<>();
    private final AtomicLong replaced = new AtomicLong();

    /** {@code scheduler} runs the flushes while any socket is held here. */
    public Conflation(List<ChannelPattern> patterns, long thresholdBytes, ScheduledExecutorService scheduler) {
        this.patterns = List.copyOf(patterns);
        this.thresholdBytes = thresholdBytes;
        this.scheduler = scheduler;
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

    /** This conflation when {@code channel} is a latest-value channel, else {@link ChannelSend#DIRECT}. */
    public ChannelSend on(String channel) {
        return covers(channel) ? this : ChannelSend.DIRECT;
    }

    /**
     * Sends {@code frame} (the newest message of {@code channel} for this socket) or, when the socket
     * is behind, keeps it in place of the one waiting. Returns true when it was sent.
     */
    boolean sendOrHold(LocalConnection member, String channel, ByteBuffer frame) {
        return send(member, channel, frame, true);
    }

    /** {@link #sendOrHold}, except that a message not {@code replaceable} is queued, after the one waiting. */
    @Override
    public boolean send(LocalConnection member, String channel, ByteBuffer frame, boolean replaceable) {
        Map<String, ByteBuffer> waiting = held.get(member);
        if (waiting == null) {
            if (member.outbound().queuedBytes() <= thresholdBytes || !replaceable) {
                return member.send(frame); // nothing of any channel waits here for this socket
            }
            waiting = held.computeIfAbsent(member, m -> new ConcurrentHashMap<>(2));
            scheduleFlush(); // flushes go on while the socket has an entry, until it has closed
        }
        synchronized (waiting) {
            if (!replaceable) {
                ByteBuffer older = waiting.remove(channel);
                if (older != null) {
                    member.send(older);
                }
                return member.send(frame);
            }
            if (waiting.containsKey(channel) || member.outbound().queuedBytes() > thresholdBytes) {
                if (waiting.put(channel, frame) != null) {
                    replaced.incrementAndGet();
                }
                return false;
            }
            return member.send(frame);
        }
    }

    /**
     * Schedules a flush unless one is due. Why nothing is left waiting unflushed: an entry of
     * {@link #held} is made before this takes the lock, and a flush, once done, takes the same lock
     * before it looks at {@link #held} again; whichever comes second sees the other.
     */
    private void scheduleFlush() {
        synchronized (flushLock) {
            if (flushDue) {
                return;
            }
            try {
                scheduler.schedule(this::flushAndGoOn, FLUSH_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                flushDue = true;
            } catch (RejectedExecutionException e) {
                // the node is shutting down: its sockets close, nothing waits for them
            }
        }
    }

    private void flushAndGoOn() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not flush conflated messages: {}", e.toString());
        } finally {
            synchronized (flushLock) {
                flushDue = false;
            }
            if (!held.isEmpty()) {
                scheduleFlush();
            }
        }
    }

    /** Sends what waits for sockets that have caught up; forgets closed sockets. */
    void flush() {
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
