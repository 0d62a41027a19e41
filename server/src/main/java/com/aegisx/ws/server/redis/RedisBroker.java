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

    private final RedisPubSubAsyncCommands<String, String> pubSub;
    private final RedisAsyncCommands<String, String> commands;
    private final Executor callbacks;

    public RedisBroker(RedisPubSubAsyncCommands<String, String> pubSub, RedisAsyncCommands<String, String> commands,
                       Executor callbacks) {
        this.pubSub = pubSub;
        this.commands = commands;
        this.callbacks = callbacks;
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        return Callbacks.on(callbacks, pubSub.subscribe(topic)).thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topic) {
        return Callbacks.on(callbacks, pubSub.unsubscribe(topic)).thenApply(ignored -> null);
    }

    @Override
    public CompletableFuture<Long> publish(String topic, String payload) {
        return Callbacks.on(callbacks, commands.publish(topic, payload));
    }
}
