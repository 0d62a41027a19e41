package com.aegisx.ws.server.core;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * Port: where the hub reports connects, subscriptions and disconnects besides the index
 * ({@link ChannelPresence}: join/leave frames; the lifecycle stream is written by the index itself,
 * atomically with each change). Called after the index change each reports; a failure is logged
 * by the hub and never fails the operation itself.
 */
public interface LifecycleSink {

    CompletableFuture<Void> connected(String connectionId, String nodeId, String userId);

    CompletableFuture<Void> subscribed(String connectionId, String nodeId, String userId, String channel);

    CompletableFuture<Void> unsubscribed(String connectionId, String nodeId, String userId, String channel);

    /** Only for the caller whose removal deleted the connection's record: once per connection. */
    CompletableFuture<Void> disconnected(String connectionId, String nodeId, String userId, int code, String reason,
                                         Collection<String> channels);
}
