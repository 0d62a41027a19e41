package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.events.LifecycleEvents;
import com.aegisx.ws.server.core.LifecycleSink;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/** The hub's lifecycle events into the publisher client's {@link LifecycleEvents} (stream and presence). */
public final class RedisLifecycleSink implements LifecycleSink {

    private final LifecycleEvents events;

    public RedisLifecycleSink(LifecycleEvents events) {
        this.events = events;
    }

    @Override
    public CompletableFuture<Void> connected(String connectionId, String nodeId, String userId) {
        return events.connected(connectionId, nodeId, userId);
    }

    @Override
    public CompletableFuture<Void> subscribed(String connectionId, String nodeId, String userId, String channel) {
        return events.subscribed(connectionId, nodeId, userId, channel);
    }

    @Override
    public CompletableFuture<Void> unsubscribed(String connectionId, String nodeId, String userId, String channel) {
        return events.unsubscribed(connectionId, nodeId, userId, channel);
    }

    @Override
    public CompletableFuture<Void> disconnected(String connectionId, String nodeId, String userId, int code,
                                                String reason, Collection<String> channels) {
        return events.disconnected(connectionId, nodeId, userId, code, reason, channels);
    }
}
