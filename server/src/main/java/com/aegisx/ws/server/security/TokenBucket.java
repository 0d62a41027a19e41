package com.aegisx.ws.server.security;

/**
 * A token bucket for one connection's inbound messages: {@code burst} messages back to back, then
 * {@code perSecond} on average. Messages of one socket arrive one at a time, but the class is
 * synchronized anyway so it never depends on that.
 */
public final class TokenBucket {

    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;
    /** Messages refused since the last one that was admitted. */
    private int refusedInRow;
    /** Created on the first refusal. */
    private RefusalWindow refusals;

    public TokenBucket(int perSecond, int burst, long nowNanos) {
        this(perSecond / 1_000_000_000.0, burst, nowNanos);
    }

    /** {@code perMinute} tokens a minute on average (0: none, the burst is all there is). */
    public static TokenBucket perMinute(int perMinute, int burst, long nowNanos) {
        return new TokenBucket(perMinute / 60_000_000_000.0, burst, nowNanos);
    }

    private TokenBucket(double perNano, int burst, long nowNanos) {
        this.perNano = perNano;
        this.capacity = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    /** Takes a token; false when the bucket is empty. */
    public synchronized boolean tryTake(long nowNanos) {
        long elapsed = Math.max(0, nowNanos - last);
        last = nowNanos;
        tokens = Math.min(capacity, tokens + elapsed * perNano);
        if (tokens >= 1) {
            tokens -= 1;
            refusedInRow = 0;
            return true;
        }
        refusedInRow++;
        return false;
    }

    /**
     * Counts a refusal (call after {@link #tryTake} returned false); true when more than
     * {@code tolerance} refusals fell within the last {@code windowNanos}, admitted messages in
     * between or not.
     */
    public synchronized boolean refusalsExceed(int tolerance, long windowNanos, long nowNanos) {
        if (refusals == null) {
            refusals = new RefusalWindow(tolerance);
        }
        return refusals.refuseAndCheck(nowNanos, windowNanos);
    }

    /** Whether the bucket would be full at {@code nowNanos}: nothing was taken for long enough. */
    public synchronized boolean isFull(long nowNanos) {
        return tokens + Math.max(0, nowNanos - last) * perNano >= capacity;
    }

    /** How many messages in a row were refused, counting the last call. */
    public synchronized int refusedInRow() {
        return refusedInRow;
    }
}
