package com.aegisx.ws.server.metrics;

/**
 * What the fan-out core reports while it works, as HikariCP's {@code IMetricsTracker}: the core
 * calls these methods, {@link NodeMetrics} implements them, and this package imports neither the
 * core nor its adapters. Every method is on the hot path: an implementation only adds to counters.
 */
public interface FanoutMetrics {

    /** Counts nothing (unit tests, or a node without metrics). */
    FanoutMetrics NONE = new FanoutMetrics() { };

    /**
     * A pub/sub message with local listeners arrived. {@code timestamp}: the publisher's timestamp
     * text when it set one, else null.
     */
    default void onPubSubMessage(boolean channelBroadcast, String timestamp) {
    }

    /** One fan-out wrote {@code sockets} frames of {@code frameBytes} each. */
    default void onDelivered(int sockets, int frameBytes) {
    }

    /** A dispatch worker finished a message {@code nanos} after it left the broker's I/O thread. */
    default void onDispatched(long nanos) {
    }
}
