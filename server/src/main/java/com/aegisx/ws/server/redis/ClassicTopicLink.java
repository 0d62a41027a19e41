package com.aegisx.ws.server.redis;

import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Classic pub/sub over one connection (standalone Redis, or the master Sentinel names). Lettuce
 * reconnects it by itself, to the new master after a Sentinel failover, and re-issues every
 * SUBSCRIBE; {@link #reconnected()} counts those.
 *
 * <p>Only the current connection delivers. {@link #renew} subscribes a fresh connection before it
 * closes the old one; if the old one was not dead after all (a probe that timed out behind a
 * backlog), both would hand over every message published until the old one is closed, and a
 * plain channel, which has no offsets to drop repeats by, would deliver those twice. So from the
 * moment of the swap the old connection's messages are dropped and counted: at most once holds;
 * what only a live old connection would have delivered in the swap is lost, as at most once allows.
 */
public final class ClassicTopicLink implements TopicLink {

    /** Topics per SUBSCRIBE when a whole connection is subscribed again. */
    static final int RESUBSCRIBE_BATCH = 500;

    private final java.util.function.Supplier<StatefulRedisPubSubConnection<String, String>> opener;
    private final RedisPubSubListener<String, String> listener;
    /** Replaced by {@link #renew}. */
    private volatile StatefulRedisPubSubConnection<String, String> connection;
    private final AtomicLong resubscriptions = new AtomicLong();
    private final AtomicLong droppedFromReplaced = new AtomicLong();

    /** {@code opener}: opens a new pub/sub connection (the first one, and any replacement). */
    public ClassicTopicLink(java.util.function.Supplier<StatefulRedisPubSubConnection<String, String>> opener,
                            RedisPubSubListener<String, String> listener) {
        this.opener = opener;
        this.listener = listener;
        this.connection = opener.get();
        connection.addListener(onlyWhileCurrent(connection));
    }

    /** Forwards the messages of {@code own} only while it is the current connection. */
    private RedisPubSubListener<String, String> onlyWhileCurrent(StatefulRedisPubSubConnection<String, String> own) {
        return new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (connection == own) {
                    listener.message(channel, message);
                } else {
                    droppedFromReplaced.incrementAndGet();
                }
            }
        };
    }

    /** Messages a replaced connection still delivered after the swap, dropped (not delivered twice). */
    @Override
    public long droppedFromReplaced() {
        return droppedFromReplaced.get();
    }

    /** The current connection (to recognise its reconnects). */
    public StatefulRedisPubSubConnection<String, String> connection() {
        return connection;
    }

    @Override
    public CompletableFuture<Void> renew(java.util.Collection<String> topics) {
        StatefulRedisPubSubConnection<String, String> fresh = opener.get();
        fresh.addListener(onlyWhileCurrent(fresh));
        StatefulRedisPubSubConnection<String, String> old = connection;
        connection = fresh; // from here on the old connection's messages are dropped
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
