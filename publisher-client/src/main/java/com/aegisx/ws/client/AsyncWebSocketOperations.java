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
}
