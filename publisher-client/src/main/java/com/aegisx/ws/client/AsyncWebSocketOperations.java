package com.aegisx.ws.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Non-blocking form of {@link WebSocketOperations}; same semantics, futures instead of values. */
public interface AsyncWebSocketOperations {

    CompletableFuture<Long> broadcast(String channel, Object message);

    CompletableFuture<Long> broadcast(String channel, Object message, String excludeConnection);

    CompletableFuture<Long> sendToUser(String userId, Object message);

    CompletableFuture<Boolean> sendToConnection(String connectionId, Object message);

    CompletableFuture<Boolean> subscribeToChannel(String connectionId, String channel);

    CompletableFuture<Boolean> unsubscribeFromChannel(String connectionId, String channel);

    CompletableFuture<List<ConnectionInfo>> getConnectionsByChannel(String channel);

    CompletableFuture<List<ConnectionInfo>> getConnectionsByUser(String userId);

    CompletableFuture<Long> getActiveConnections();

    CompletableFuture<Void> cleanupInactiveConnections();

    /** Closes one connection (code 1000 or 4000-4999, else 4002); false when it does not exist. */
    CompletableFuture<Boolean> disconnectConnection(String connectionId, int code, String reason);

    /** Closes every connection of a user, on every node; completes with how many were asked to close. */
    CompletableFuture<Integer> disconnectUser(String userId, int code, String reason);

    /** Whether the user has at least one connection on a live node. */
    CompletableFuture<Boolean> isUserOnline(String userId);

    /** Users with at least one connection, cluster-wide (the sum of the 16 online sets' SCARD: O(1) on any deployment). */
    CompletableFuture<Long> getOnlineUserCount();
}
