package com.aegisx.ws.server.logging;

import com.aegisx.ws.server.auth.LogSafe;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The spec's connection events at the spec's levels, with the node, connection and user ids in the
 * MDC (fields of LOG_FORMAT=json; the text format keeps them in the message too):
 * <ul>
 *   <li>connection established: INFO, at most {@link LogRateLimiter#DEFAULT_PER_SECOND} lines a
 *       second (a reconnect storm must not flood the log; the next line says how many were left out);</li>
 *   <li>message received: DEBUG, with its type and channel;</li>
 *   <li>connection error: WARN with the cause, rate-limited the same way.</li>
 * </ul>
 * Values a client chose (type, channel, error text) pass {@link LogSafe} first: no forged log lines.
 */
public final class ConnectionLog {

    public static final String NODE_ID = "nodeId";
    public static final String CONNECTION_ID = "connectionId";
    public static final String USER_ID = "userId";

    private static final LogRateLimiter ESTABLISHED = new LogRateLimiter(LogRateLimiter.DEFAULT_PER_SECOND);
    private static final LogRateLimiter ERRORS = new LogRateLimiter(LogRateLimiter.DEFAULT_PER_SECOND);

    private ConnectionLog() {
    }

    /** Puts the connection's ids in this thread's MDC; pair with {@link #clear()}. */
    public static void enter(String nodeId, String connectionId, String userId) {
        MDC.put(NODE_ID, nodeId);
        MDC.put(CONNECTION_ID, connectionId);
        if (userId != null) {
            MDC.put(USER_ID, userId);
        } else {
            MDC.remove(USER_ID);
        }
    }

    public static void clear() {
        MDC.remove(CONNECTION_ID);
        MDC.remove(USER_ID);
    }

    public static void established(Logger log, String nodeId, String connectionId, String userId, String route,
                                   int totalConnections) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long dropped = ESTABLISHED.admit();
        if (dropped < 0) {
            return;
        }
        enter(nodeId, connectionId, userId);
        try {
            log.info("WebSocket connection established connectionId={} userId={} route={} node={} totalConnections={}{}",
                    connectionId, userId, route, nodeId, totalConnections, suffix(dropped));
        } finally {
            clear();
        }
    }

    /** DEBUG only; the caller has the connection's ids in the MDC already. */
    public static void received(Logger log, String connectionId, String type, String channel) {
        if (log.isDebugEnabled()) {
            log.debug("Message received connectionId={} type={} channel={}", connectionId, printable(type),
                    channel == null ? null : printable(channel));
        }
    }

    public static void error(Logger log, String connectionId, Throwable cause) {
        long dropped = ERRORS.admit();
        if (dropped < 0) {
            return;
        }
        log.warn("WebSocket error connectionId={}: {}{}", connectionId,
                cause == null ? null : printable(cause.toString()), suffix(dropped));
    }

    private static String suffix(long dropped) {
        return dropped == 0 ? "" : " (" + dropped + " similar lines left out)";
    }

    /** Client text made safe for a log line ({@link LogSafe}: escaped controls, bounded length). */
    public static String printable(String text) {
        return LogSafe.text(text);
    }
}
