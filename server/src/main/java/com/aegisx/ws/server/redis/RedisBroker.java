package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.server.core.Broker;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * {@link Broker} on Redis pub/sub, in the mode {@code REDIS_URL} names: classic SUBSCRIBE/PUBLISH
 * on a standalone Redis or behind Sentinel ({@link ClassicTopicLink}), sharded SSUBSCRIBE/SPUBLISH
 * on a Redis Cluster ({@link ShardedTopicLink}: each topic on the master of its slot, followed
 * through failovers and slot migrations). Deliveries reach the core through the
 * {@link PubSubDispatcher} (the links' listener): on a dispatch worker, except a user's topic,
 * which is delivered on Lettuce's event loop without a hand-off; futures complete on the node's
 * callback executor.
 *
 * <p>A message published while a topic's subscription is being re-established (reconnect,
 * failover, slot move) is lost on plain pub/sub; history channels fill such gaps from their stream.
 */
public final class RedisBroker implements Broker {

    private final TopicLink pubSub;
    /** The topics subscribed, to subscribe replacement connections to (see {@link #resubscribeAll}). */
    private final Set<String> topics = ConcurrentHashMap.newKeySet();
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
        topics.add(topic);
        return Callbacks.on(callbacks, pubSub.subscribe(topic));
    }

    @Override
    public CompletableFuture<Void> unsubscribe(String topic) {
        topics.remove(topic);
        pubSub.unsubscribe(topic);
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Replaces the pub/sub connection(s) and subscribes every topic again (pipelined batches):
     * for a link that went silent without breaking (half-open), which Lettuce never reconnects.
     * Completes when Redis confirmed them all.
     */
    public CompletableFuture<Void> resubscribeAll() {
        return Callbacks.on(callbacks, pubSub.renew(List.copyOf(topics)));
    }

    public int topicCount() {
        return topics.size();
    }

    @Override
    public CompletableFuture<Long> publish(String topic, String payload) {
        return Callbacks.on(callbacks, publishMode.publish(commands, topic, payload));
    }
}
