package com.aegisx.ws.client;

import java.util.List;

/**
 * The spec's {@code websocketManager}, cluster-wide. Implemented by the publisher client (for any
 * service) and by each node's manager. A message is a JSON object: a Map, a record or POJO, a
 * Jackson ObjectNode, or a String holding JSON text. Clients receive it with {@code channel} (for
 * broadcasts) and {@code timestamp} added when absent.
 */
public interface WebSocketOperations {

    /** Sends to every connection subscribed to {@code channel}; returns how many nodes received it. */
    long broadcast(String channel, Object message);

    /** As {@link #broadcast(String, Object)}, skipping one connection (null skips none). */
    long broadcast(String channel, Object message, String excludeConnection);

    /** Sends to every connection of one user, on every node; returns how many nodes received it. */
    long sendToUser(String userId, Object message);

    /** Sends to one connection; false when the connection does not exist (closed, or its node is gone). */
    boolean sendToConnection(String connectionId, Object message);

    /**
     * Subscribes a connection, wherever it is, to a channel; the client is told with a
     * {@code subscribed} message. False when the connection does not exist (closed, or its node is gone).
     */
    boolean subscribeToChannel(String connectionId, String channel);

    boolean unsubscribeFromChannel(String connectionId, String channel);

    List<ConnectionInfo> getConnectionsByChannel(String channel);

    List<ConnectionInfo> getConnectionsByUser(String userId);

    /** Connections on every live node. */
    long getActiveConnections();

    /** Closes connections inactive past the timeout on every node and sweeps dead nodes' state. */
    void cleanupInactiveConnections();

    /**
     * Closes one connection (code 1000 or 4000-4999, else 4002); false when it does not exist. A
     * reason over 123 bytes of UTF-8 (a close frame's limit) is cut on a code-point boundary.
     */
    boolean disconnectConnection(String connectionId, int code, String reason);

    /**
     * Closes every connection of a user, on every node; returns how many were asked to close. Throws
     * when Redis refuses or does not answer a command (nothing is counted as done that was not). The
     * reason is bounded as in {@link #disconnectConnection}.
     */
    int disconnectUser(String userId, int code, String reason);

    /** Whether the user has at least one connection on a live node. */
    boolean isUserOnline(String userId);

    /** Users with at least one connection, cluster-wide (the sum of the 16 online sets' SCARD: O(1) on any deployment). */
    long getOnlineUserCount();
}
