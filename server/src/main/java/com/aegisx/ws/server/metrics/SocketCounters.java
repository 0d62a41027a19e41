package com.aegisx.ws.server.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What the transport counts about the node's sockets (read by {@link NodeMetrics}). */
public final class SocketCounters {
    public final AtomicLong opened = new AtomicLong();
    public final AtomicLong closed = new AtomicLong();
    public final AtomicLong slowConsumers = new AtomicLong();
    public final AtomicLong binaryRejected = new AtomicLong();
    /** Text frames from clients and their characters (hot path: LongAdder). */
    public final LongAdder messagesIn = new LongAdder();
    public final LongAdder bytesIn = new LongAdder();
}
