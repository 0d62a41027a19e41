package com.aegisx.ws.server.core;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Port: where the hub reports lifecycle events ({@code redis/RedisLifecycleSink} appends them to the
 * cluster's event stream, with user presence). Called after the index change each reports; a
 * failure is logged by the hub and never fails the operation itself.
 */
public interface LifecycleSink {

    CompletableFuture<Void> connected(String connectionId, String nodeId, String userId);

    CompletableFuture<Void> subscribed(String connectionId, String nodeId, String userId, String channel);

    CompletableFuture<Void> unsubscribed(String connectionId, String nodeId, String userId, String channel);

    /** Only for the caller whose removal deleted the connection's record: once per connection. */
    CompletableFuture<Void> disconnected(String connectionId, String nodeId, String userId, int code, String reason,
                                         Collection<String> channels);

    /** Both sinks, {@code first} then {@code second}; either may be null. */
    static LifecycleSink both(LifecycleSink first, LifecycleSink second) {
        if (first == null || second == null) {
            return first == null ? second : first;
        }
        return new LifecycleSink() {
            @Override
            public CompletableFuture<Void> connected(String connectionId, String nodeId, String userId) {
                return CompletableFuture.allOf(first.connected(connectionId, nodeId, userId),
                        second.connected(connectionId, nodeId, userId));
            }

            @Override
            public CompletableFuture<Void> subscribed(String connectionId, String nodeId, String userId, String channel) {
                return CompletableFuture.allOf(first.subscribed(connectionId, nodeId, userId, channel),
                        second.subscribed(connectionId, nodeId, userId, channel));
            }

            @Override
            public CompletableFuture<Void> unsubscribed(String connectionId, String nodeId, String userId, String channel) {
                return CompletableFuture.allOf(first.unsubscribed(connectionId, nodeId, userId, channel),
                        second.unsubscribed(connectionId, nodeId, userId, channel));
            }

            @Override
            public CompletableFuture<Void> disconnected(String connectionId, String nodeId, String userId, int code,
                                                        String reason, Collection<String> channels) {
                return CompletableFuture.allOf(first.disconnected(connectionId, nodeId, userId, code, reason, channels),
                        second.disconnected(connectionId, nodeId, userId, code, reason, channels));
            }
        };
    }
}
