package com.aegisx.ws.server.metrics;

import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures nobody waits for: a future dropped by its caller (a chained step of a connection, a
 * heartbeat, an activity flush) that failed. Each is logged (the first ten, then every
 * thousandth, so a storm cannot flood the log) and counted ({@code ws_internal_errors_total});
 * none vanishes.
 */
public final class InternalErrors {

    private static final Logger log = LoggerFactory.getLogger(InternalErrors.class);
    private static final LongAdder COUNT = new LongAdder();

    private InternalErrors() {
    }

    public static void record(String where, Throwable error) {
        COUNT.increment();
        long count = COUNT.sum();
        if (count <= 10 || count % 1000 == 0) {
            log.warn("Unexpected failure in {} ({} so far)", where, count, error);
        }
    }

    /** A {@code whenComplete} action that records a failure of {@code where}. */
    public static <T> java.util.function.BiConsumer<T, Throwable> of(String where) {
        return (ignored, error) -> {
            if (error != null) {
                record(where, error);
            }
        };
    }

    public static long count() {
        return COUNT.sum();
    }
}
