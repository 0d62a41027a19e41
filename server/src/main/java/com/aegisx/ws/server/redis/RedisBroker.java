package com.aegisx.ws.server.redis;

import com.aegisx.ws.server.core.Broker;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.api.async.RedisPubSubAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link Broker} on plain Redis pub/sub: SUBSCRIBE/UNSUBSCRIBE on the node's pub/sub connection,
 * PUBLISH on its command connection. Deliveries reach the core through the
 * {@link PubSubDispatcher} (registered as the pub/sub listener), never on Lettuce's event loop;
 * futures complete on the node's callback executor.
 *
 * <p>Lettuce re-issues the subscriptions by itself after a reconnect; a message published while
 * the link was down is lost (plain pub/sub has no history).
 */
public final class RedisBroker implements Broker {

    /** Topics per SUBSCRIBE when a whole connection is subscribed again. */
    static final int RESUBSCRIBE_BATCH = 500;

    private final java.util.function.Supplier<RedisPubSubAsyncCommands<String, String>> pubSub;
    /** The topics subscribed, to subscribe a replacement connection to (see {@link #resubscribeAll}). */
    private final java.util.Set<String> topics = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final RedisAsyncCommands<String, String> commands;
    private final Executor callbacks;

    /** {@code pubSub}: the current pub/sub connection's commands (it may be replaced). */
    public RedisBroker(java.util.function.Supplier<RedisPubSubAsyncCommands<String, String>> pubSub,
                       RedisAsyncCommands<String, String> commands,
                       Executor callbacks) {
        this.pubSub = pubSub;
        this.commands = commands;
        this.callbacks = callbacks;
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        topics.add(topic);
        return Callbacks.on(callbacks, pubSub.get().subscribe(topic)).thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topic) {
        topics.remove(topic);
        return Callbacks.on(callbacks, pubSub.get().unsubscribe(topic)).thenApply(ignored -> null);
    }

    /**
     * Subscribes the current connection to every topic, {@value #RESUBSCRIBE_BATCH} per SUBSCRIBE,
     * all pipelined (Lettuce writes them without waiting): completes when Redis confirmed them all.
     */
    public CompletableFuture<Void> resubscribeAll() {
        java.util.List<String> all = new java.util.ArrayList<>(topics);
        java.util.List<CompletableFuture<?>> batches = new java.util.ArrayList<>();
        RedisPubSubAsyncCommands<String, String> current = pubSub.get();
        for (int from = 0; from < all.size(); from += RESUBSCRIBE_BATCH) {
            String[] batch = all.subList(from, Math.min(all.size(), from + RESUBSCRIBE_BATCH)).toArray(String[]::new);
            batches.add(current.subscribe(batch).toCompletableFuture());
        }
        return Callbacks.on(callbacks, CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)));
    }

    public int topicCount() {
        return topics.size();
    }

    @Override
    public CompletableFuture<Long> publish(String topic, String payload) {
        return Callbacks.on(callbacks, commands.publish(topic, payload));
    }
}
