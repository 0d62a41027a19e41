package com.aegisx.ws.server.core;

import java.util.Collection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pings every socket once per WEBSOCKET_PING_INTERVAL, spread over the interval: each call pings
 * the sockets of the next of {@value #SLICES} slices (a socket's slice comes from its id, so it is
 * pinged every {@code SLICES} calls, one interval apart).
 *
 * <p>Pinging all sockets at once wrote one burst of frames every interval and brought back one
 * burst of pongs to read: at 1,000 sockets several milliseconds of CPU in the node and in the
 * clients, which delayed the messages being delivered at that moment (a latency spike every
 * interval). Spread out, each slice costs a sixteenth of that.
 */
public final class PingRounds {

    /** Calls per interval. */
    public static final int SLICES = 16;
    private static final Logger log = LoggerFactory.getLogger(PingRounds.class);

    private final Supplier<? extends Collection<LocalConnection>> connections;
    private int next;

    public PingRounds(Supplier<? extends Collection<LocalConnection>> connections) {
        this.connections = connections;
    }

    /** Pings the sockets of the next slice; call every ping interval / {@link #SLICES}, from one thread. */
    public void pingNextSlice() {
        int slice = next;
        next = (next + 1) % SLICES;
        for (LocalConnection connection : connections.get()) {
            if (sliceOf(connection) == slice) {
                try {
                    connection.ping();
                } catch (RuntimeException e) { // one socket's failure never stops the round (nor the timer)
                    log.warn("Ping to connectionId={} failed: {}", connection.id(), e.toString());
                }
            }
        }
    }

    static int sliceOf(LocalConnection connection) {
        return Math.floorMod(connection.id().hashCode(), SLICES);
    }
}
