package com.aegisx.ws.server.redis;

import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Classic pub/sub over one connection (standalone Redis, or the master Sentinel names). Lettuce
 * reconnects it by itself, to the new master after a Sentinel failover, and re-issues every
 * SUBSCRIBE; {@link #reconnected()} counts those.
 */
public final class ClassicTopicLink implements TopicLink {

    private final StatefulRedisPubSubConnection<String, String> connection;
    private final AtomicLong resubscriptions = new AtomicLong();

    public ClassicTopicLink(StatefulRedisPubSubConnection<String, String> connection,
                            RedisPubSubListener<String, String> listener) {
        this.connection = connection;
        connection.addListener(listener);
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        return connection.async().subscribe(topic).toCompletableFuture();
    }

    @Override
    public void unsubscribe(String topic) {
        connection.async().unsubscribe(topic);
    }

    @Override
    public boolean isConnected() {
        return connection.isOpen();
    }

    /** Called when the connection came back: Lettuce re-subscribes {@code topics} topics. */
    void reconnected(int topics) {
        resubscriptions.addAndGet(topics);
    }

    @Override
    public long resubscriptions() {
        return resubscriptions.get();
    }

    @Override
    public void close() {
        connection.close();
    }
}
