package com.aegisx.ws.server.logging;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most {@code perSecond} log lines of one kind per second; the rest are counted, and the next
 * line let through reports how many were dropped ({@link #admit()} returns that count + 1). Lock-free:
 * a line that loses a race at a second's boundary is merely counted in the next one.
 */
public final class LogRateLimiter {

    /** Lines per second and kind before lines are dropped (and counted). */
    public static final int DEFAULT_PER_SECOND = 20;

    private final int perSecond;
    private final LongSupplier clock;
    private final AtomicLong second = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong inSecond = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    public LogRateLimiter(int perSecond) {
        this(perSecond, System::currentTimeMillis);
    }

    LogRateLimiter(int perSecond, LongSupplier clock) {
        this.perSecond = perSecond;
        this.clock = clock;
    }

    /**
     * Returns -1 when this line must be dropped; otherwise how many lines were dropped since the
     * last one let through (0 when none).
     */
    public long admit() {
        long now = clock.getAsLong() / 1000;
        long current = second.get();
        if (current != now && second.compareAndSet(current, now)) {
            inSecond.set(0);
        }
        if (inSecond.incrementAndGet() > perSecond) {
            dropped.incrementAndGet();
            return -1;
        }
        return dropped.getAndSet(0);
    }
}
