package com.aegisx.ws.server.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every local socket into the {@link ConnectionIndex} again once the node learns that the
 * index lost them (the node was swept while its link was silent, or Redis lost its data), and
 * keeps trying until one full pass succeeded.
 *
 * <p>Before, a failed pass was dropped and never retried: the next heartbeat found the node
 * registered again, so its connections stayed missing from Redis until they reconnected. Now a
 * failed pass stays pending and is retried at the next heartbeat after a backoff that doubles from
 * {@code firstRetry} up to {@code maxRetry}.
 */
public final class IndexRepair {

    private static final Logger log = LoggerFactory.getLogger(IndexRepair.class);

    private final ConnectionHub hub;
    private final long firstRetryMillis;
    private final long maxRetryMillis;
    private final LongSupplier clock;
    private boolean pending;
    private boolean running;
    private int failures;
    private long notBeforeMillis;
    private long passes;

    public IndexRepair(ConnectionHub hub, Duration firstRetry, Duration maxRetry, LongSupplier clock) {
        this.hub = hub;
        this.firstRetryMillis = firstRetry.toMillis();
        this.maxRetryMillis = Math.max(firstRetry.toMillis(), maxRetry.toMillis());
        this.clock = clock;
    }

    /** The index lost this node's records: a pass is needed (at once, whatever the backoff). */
    public synchronized void request(String why) {
        log.warn("Node {}: {}; registering its {} connections again", hub.nodeId(), why, hub.size());
        pending = true;
        notBeforeMillis = 0;
    }

    public synchronized boolean pending() {
        return pending;
    }

    /** Successful passes so far. */
    public synchronized long passes() {
        return passes;
    }

    /**
     * Runs a pass if one is pending and its backoff has passed; completes (never exceptionally)
     * when the pass is done, or at once when there is nothing to do.
     */
    public CompletableFuture<Void> runIfDue() {
        synchronized (this) {
            if (!pending || running || clock.getAsLong() < notBeforeMillis) {
                return CompletableFuture.completedFuture(null);
            }
            pending = false;
            running = true;
        }
        CompletableFuture<Void> pass;
        try {
            pass = hub.reregisterAll();
        } catch (RuntimeException e) {
            pass = CompletableFuture.failedFuture(e);
        }
        return pass.handle((ignored, error) -> {
            finished(error);
            return null;
        });
    }

    private synchronized void finished(Throwable error) {
        running = false;
        if (error == null) {
            if (failures > 0) {
                log.info("Node {}: connections registered again after {} failed attempts", hub.nodeId(), failures);
            }
            failures = 0;
            passes++;
            return;
        }
        failures++;
        long delay = Math.min(maxRetryMillis, firstRetryMillis << Math.min(failures - 1, 20));
        notBeforeMillis = clock.getAsLong() + delay;
        if (!pending) {
            pending = true;
        }
        log.warn("Node {}: registering its connections again failed ({} in a row), retrying in {} ms: {}",
                hub.nodeId(), failures, delay, error.toString());
    }
}
