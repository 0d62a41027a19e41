package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.server.core.Broker;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link Broker} on Redis pub/sub, in the mode {@code REDIS_URL} names: classic SUBSCRIBE/PUBLISH
 * on a standalone Redis or behind Sentinel ({@link ClassicTopicLink}), sharded SSUBSCRIBE/SPUBLISH
 * on a Redis Cluster ({@link ShardedTopicLink}: each topic on the master of its slot, followed
 * through failovers and slot migrations). Deliveries reach the core through the
 * {@link PubSubDispatcher} (the links' listener), never on Lettuce's event loop; futures complete
 * on the node's callback executor.
 *
 * <p>A message published while a topic's subscription is being re-established (reconnect,
 * failover, slot move) is lost: plain pub/sub has no history.
 */
public final class RedisBroker implements Broker {

    private final TopicLink pubSub;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final PublishMode publishMode;
    private final Executor callbacks;

    public RedisBroker(TopicLink pubSub, RedisClusterAsyncCommands<String, String> commands, PublishMode publishMode,
                       Executor callbacks) {
        this.pubSub = pubSub;
        this.commands = commands;
        this.publishMode = publishMode;
        this.callbacks = callbacks;
    }

    @Override
    public CompletableFuture<Void> subscribe(String topic) {
        return Callbacks.on(callbacks, pubSub.subscribe(topic));
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topic) {
        pubSub.unsubscribe(topic);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Long> publish(String topic, String payload) {
        return Callbacks.on(callbacks, publishMode.publish(commands, topic, payload));
    }
}
