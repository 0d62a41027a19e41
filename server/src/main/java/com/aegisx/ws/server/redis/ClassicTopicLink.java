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

    /** Topics per SUBSCRIBE when a whole connection is subscribed again. */
    static final int RESUBSCRIBE_BATCH = 500;

    private final java.util.function.Supplier<StatefulRedisPubSubConnection<String, String>> opener;
    private final RedisPubSubListener<String, String> listener;
    /** Replaced by {@link #renew}. */
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    private final AtomicLong resubscriptions = new AtomicLong();

    /** {@code opener}: opens a new pub/sub connection (the first one, and any replacement). */
    public ClassicTopicLink(java.util.function.Supplier<StatefulRedisPubSubConnection<String, String>> opener,
                            RedisPubSubListener<String, String> listener) {
        this.opener = opener;
        this.listener = listener;
        this.connection = opener.get();
        connection.addListener(listener);
    }

    /** The current connection (to recognise its reconnects). */
    public StatefulRedisPubSubConnection<String, String> connection() {
        return connection;
    }

    @Override
    public CompletableFuture<Void> renew(java.util.Collection<String> topics) {
        StatefulRedisPubSubConnection<String, String> fresh = opener.get();
        fresh.addListener(listener);
        StatefulRedisPubSubConnection<String, String> old = connection;
        connection = fresh;
        java.util.List<String> all = java.util.List.copyOf(topics);
        java.util.List<CompletableFuture<?>> batches = new java.util.ArrayList<>();
        for (int from = 0; from < all.size(); from += RESUBSCRIBE_BATCH) {
            String[] batch = all.subList(from, Math.min(all.size(), from + RESUBSCRIBE_BATCH)).toArray(String[]::new);
            batches.add(fresh.async().subscribe(batch).toCompletableFuture());
        }
        resubscriptions.addAndGet(all.size());
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
                .whenComplete((ok, error) -> old.closeAsync());
    }

    @Override
    public CompletableFuture<Void> ping() {
        return connection.async().ping().toCompletableFuture().thenApply(pong -> null);
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
