package com.aegisx.ws.server.security;

/**
 * The times of one socket's most recent rate-limit refusals, to tell whether more than
 * {@code tolerance} fell within the sliding window. Counting refusals "in a row" instead let a
 * client that paced itself just over the rate (one admitted frame between refusals) go on forever
 * (issue 10, item 9).
 *
 * <p>A ring of {@code tolerance + 1} timestamps: the window holds more than {@code tolerance}
 * refusals exactly when the oldest of the last {@code tolerance + 1} is inside it. Created on a
 * socket's first refusal only, so well-behaved sockets carry nothing.
 */
final class RefusalWindow {

    private final long[] times;
    private int next;
    private int count;

    RefusalWindow(int tolerance) {
        this.times = new long[tolerance + 1];
    }

    /** Records a refusal at {@code nowNanos}; true when more than the tolerance lie within {@code windowNanos}. */
    boolean refuseAndCheck(long nowNanos, long windowNanos) {
        times[next] = nowNanos;
        next = (next + 1) % times.length;
        count = Math.min(count + 1, times.length);
        if (count < times.length) {
            return false;
        }
        long oldest = times[next]; // the ring is full: the slot to be overwritten next is the oldest
        return nowNanos - oldest <= windowNanos;
    }
}
