package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.auth.Identity;
import com.aegisx.ws.server.security.TokenBucket;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Supplier;

/**
 * One socket on this node: its identity, local subscriptions, its {@link Outbound} and activity clock.
 * Nothing here knows the transport.
 *
 * <p>Operations that change the connection's state in Redis (register, subscribe, unsubscribe)
 * are chained with {@link #serially}, so they apply and are acknowledged in the order the client
 * asked for them. The connection's monitor guards only swaps of its own fields: no step, callback
 * or I/O ever runs while it is held (see the package's threading rule).
 */
public final class LocalConnection {

    /** Attribute holding {@link #granted}. */
    private static final String GRANTED = "ws.granted";

    private final String id;
    private final String route;
    private final String ip;
    private final String userAgent;
    /** Epoch millis (an Instant is an object more per socket). */
    private final long connectedAtMillis;
    // An immutable set replaced on each change (copy-on-write, at most WEBSOCKET_MAX_SUBSCRIPTIONS
    // entries): one channel costs a 24-byte Set.of instead of a concurrent set's ~150 bytes, and
    // idle sockets are mostly such per-object overhead (load-tests/README.md, idle).
    private volatile Set<String> channels = Set.of();
    /** Created on first use: only some routes keep attributes. */
    private volatile Map<String, Object> attributes;
    /** The ConnectionGuard's rate bucket and token-expiry timer: fields, as every socket has them. */
    private volatile TokenBucket rateBucket;
    /** The ReplayBudget's bucket, created on the socket's first replay (most sockets never ask for one). */
    private volatile TokenBucket replayBucket;
    private ScheduledFuture<?> expiryTimer;
    private final Outbound outbound;
    private volatile Identity identity;
    private volatile long lastSeenMillis;
    private volatile long lastActivityFlushedMillis;
    private volatile boolean registered;
    private volatile boolean welcomed;
    private volatile boolean closing;
    /** The removal from the hub and the index, once one path began it (see {@link #claimRemoval}). */
    private volatile CompletableFuture<Void> removal;
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<LocalConnection, CompletableFuture> REMOVAL =
            AtomicReferenceFieldUpdater.newUpdater(LocalConnection.class, CompletableFuture.class, "removal");
    private volatile DeliveryInterceptor interceptor;
    /**
     * The resume token until {@code welcome} has shown it, then null: only {@link #resumable} stays
     * (a map and a ~130-byte string per idle socket less; load-tests/README.md, idle).
     */
    private volatile String resumeToken;
    private volatile boolean resumable;
    /** Channels whose live messages are held during a history replay; null (the usual case): none. */
    private volatile Map<String, ChannelBuffer> buffers;
    private CompletableFuture<?> chain = CompletableFuture.completedFuture(null);

    public LocalConnection(String id, String route, Outbound outbound, Identity identity, String ip,
                           String userAgent) {
        this.id = id;
        this.route = route;
        this.outbound = outbound;
        this.identity = identity;
        this.ip = ip;
        this.userAgent = userAgent;
        this.connectedAtMillis = System.currentTimeMillis();
        this.lastSeenMillis = connectedAtMillis;
        this.lastActivityFlushedMillis = lastSeenMillis;
    }

    public String id() { return id; }
    public String route() { return route; }
    public Identity identity() { return identity; }
    public void identity(Identity identity) { this.identity = identity; }
    public String userId() { return identity.userId(); }
    public String ip() { return ip; }
    public String userAgent() { return userAgent; }
    public Instant connectedAt() { return Instant.ofEpochMilli(connectedAtMillis); }
    /** The channels this socket is subscribed to on this node: an immutable snapshot. */
    public Set<String> channels() { return channels; }

    /** Adds a channel; false when the socket already had it. */
    public boolean addChannel(String channel) {
        return changeChannels(channel, true);
    }

    /** Removes a channel; false when the socket did not have it. */
    public boolean removeChannel(String channel) {
        boolean removed = changeChannels(channel, false);
        if (removed && !granted().isEmpty()) {
            changeGranted(channel, false);
        }
        return removed;
    }

    /**
     * Marks a channel a trusted writer subscribed this socket to (a backend's subscribeToChannel),
     * past the channel rules: a resume restores it as such, while the socket's own channels pass
     * the rules again. Rare, so kept among the attributes (no field in every socket).
     */
    public void markGranted(String channel) {
        changeGranted(channel, true);
    }

    /** The channels of {@link #markGranted}, still subscribed or not; empty when none. */
    @SuppressWarnings("unchecked")
    public Set<String> granted() {
        Map<String, Object> map = attributes;
        Object granted = map == null ? null : map.get(GRANTED);
        return granted == null ? Set.of() : (Set<String>) granted;
    }

    private synchronized void changeGranted(String channel, boolean add) {
        Set<String> next = new HashSet<>(granted());
        if (add ? next.add(channel) : next.remove(channel)) {
            attributes().put(GRANTED, Set.copyOf(next));
        }
    }

    private synchronized boolean changeChannels(String channel, boolean add) {
        Set<String> next = new HashSet<>(channels);
        if (!(add ? next.add(channel) : next.remove(channel))) {
            return false;
        }
        channels = Set.copyOf(next);
        return true;
    }
    public Map<String, Object> attributes() {
        Map<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {
                map = attributes;
                if (map == null) {
                    map = new ConcurrentHashMap<>(4);
                    attributes = map;
                }
            }
        }
        return map;
    }
    public TokenBucket rateBucket() { return rateBucket; }
    public void rateBucket(TokenBucket bucket) { this.rateBucket = bucket; }
    public TokenBucket replayBucket() { return replayBucket; }
    public void replayBucket(TokenBucket bucket) { this.replayBucket = bucket; }
    /** Guarded by TokenLifetime's timer lock for this connection (not by the connection's monitor). */
    public ScheduledFuture<?> expiryTimer() { return expiryTimer; }
    public void expiryTimer(ScheduledFuture<?> timer) { this.expiryTimer = timer; }
    /** The transport's side of this socket. */
    public Outbound outbound() { return outbound; }
    public DeliveryInterceptor interceptor() { return interceptor; }
    public void interceptor(DeliveryInterceptor interceptor) { this.interceptor = interceptor; }
    /** True while some channel's live messages are held for a replay (the fan-out then asks {@link #buffer}). */
    public boolean isBuffering() { return buffers != null; }

    /** The buffer holding the channel's live messages, or null. */
    public ChannelBuffer buffer(String channel) {
        Map<String, ChannelBuffer> map = buffers;
        return map == null || channel == null ? null : map.get(channel);
    }

    /** From now on the channel's live messages wait in the returned buffer until it is released. */
    public synchronized ChannelBuffer startBuffering(String channel) {
        Map<String, ChannelBuffer> map = buffers == null ? new ConcurrentHashMap<>(2) : buffers;
        ChannelBuffer buffer = new ChannelBuffer();
        map.put(channel, buffer);
        buffers = map;
        return buffer;
    }

    /** Forgets a released buffer. */
    public synchronized void stopBuffering(String channel, ChannelBuffer buffer) {
        Map<String, ChannelBuffer> map = buffers;
        if (map != null && map.remove(channel, buffer) && map.isEmpty()) {
            buffers = null;
        }
    }

    public boolean isRegistered() { return registered; }
    public void markRegistered() { registered = true; }
    /** True once {@code welcome} was queued: frames can be answered directly from then on. */
    public boolean isWelcomed() { return welcomed; }
    /** Welcome was queued: it carried the resume token, which the socket need not keep. */
    public void markWelcomed() {
        welcomed = true;
        resumeToken = null;
    }

    /** Gives the socket its resume token ({@link Resume#issue}), which {@code welcome} shows. */
    public void issueResumeToken(String token) {
        resumeToken = token;
        resumable = true;
    }

    /** The resume token until {@code welcome} was queued; null afterwards or when none was issued. */
    public String resumeToken() { return resumeToken; }

    /** True when a resume token was issued: the socket's channels are kept for a resume after it closes. */
    public boolean isResumable() { return resumable; }
    public boolean isOpen() { return !closing && outbound.isOpen(); }

    /** Any frame from the client, data or pong, counts as a sign of life. */
    public void touch() {
        lastSeenMillis = System.currentTimeMillis();
    }

    public long lastSeenMillis() {
        return lastSeenMillis;
    }

    /** True (once per change) when activity happened since the last time Redis was told. */
    boolean takeActivityToFlush() {
        long seen = lastSeenMillis;
        if (seen > lastActivityFlushedMillis) {
            lastActivityFlushedMillis = seen;
            return true;
        }
        return false;
    }

    /** Sends a pre-encoded UTF-8 text frame, shared with other sockets. */
    public boolean send(ByteBuffer utf8) {
        return outbound.send(utf8, false);
    }

    /**
     * The same; with {@code more}, Jetty keeps the frame in its batch buffer until the next frame
     * sent without it, and both leave in one write. A caller passing true must send another frame.
     */
    public boolean send(ByteBuffer utf8, boolean more) {
        return outbound.send(utf8, more);
    }

    public boolean send(ObjectNode message) {
        return send(ByteBuffer.wrap(Json.write(message).getBytes(StandardCharsets.UTF_8)));
    }

    public void ping() {
        outbound.ping();
    }

    /** Starts a close handshake without blocking; a peer that never answers is cut off by the transport's idle timeout. */
    public void close(int code, String reason) {
        closing = true;
        outbound.close(code, reason);
    }

    /**
     * Closes the socket with {@link CloseCodes#TAKEN_OVER}: a resume elsewhere took its session.
     * Its channels are not kept for a resume (its token is used; kept, they would only wait for
     * their TTL).
     */
    public void takeOver(String reason) {
        resumable = false;
        close(CloseCodes.TAKEN_OVER, reason);
    }

    public void abort() {
        closing = true;
        outbound.abort();
    }

    /**
     * The first caller claims this socket's removal from the hub and the index with {@code mine}
     * (it completes it) and gets null; any later caller gets that same future, so a path that
     * closes the socket too (the socket's own close, the node's drain) waits for the removal under
     * way instead of taking it for done.
     */
    @SuppressWarnings("unchecked")
    CompletableFuture<Void> claimRemoval(CompletableFuture<Void> mine) {
        return REMOVAL.compareAndSet(this, null, mine) ? null : removal;
    }

    /** True when every step chained with {@link #serially} has completed: nothing is pending. */
    public boolean isChainIdle() {
        synchronized (this) {
            return chain.isDone();
        }
    }

    /**
     * Runs {@code step} after every step chained before it has completed (successfully or not).
     *
     * <p>Only the swap of the chain's tail happens under the monitor. The step starts outside it:
     * on the thread that completed the previous step, or on the caller's thread when nothing is
     * pending. (It used to start inline inside {@code synchronized}, so a step, and everything its
     * future completed synchronously, ran holding the connection's monitor.)
     */
    public <T> CompletableFuture<T> serially(Supplier<CompletableFuture<T>> step) {
        CompletableFuture<Void> turn = new CompletableFuture<>();
        CompletableFuture<T> next = turn.thenCompose(ignored -> step.get());
        CompletableFuture<?> previous;
        synchronized (this) {
            previous = chain;
            chain = next;
        }
        previous.whenComplete((ignored, error) -> turn.complete(null));
        return next;
    }
}
