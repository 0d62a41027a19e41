package com.aegisx.ws.client;

import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.CompletableFuture;

/**
 * How the tier's pub/sub messages travel: classic PUBLISH on a standalone Redis or behind
 * Sentinel, sharded SPUBLISH on a Redis Cluster, where a message then passes only through the
 * shard that owns its channel's slot instead of being copied to every cluster node.
 *
 * <p>A Lua script that publishes (a history append, for example) takes {@link #command()} as an
 * argument and calls {@code redis.call(ARGV[n], channel, payload)}; its channel must share the
 * hash tag of the script's keys, which every topic of {@link com.aegisx.ws.protocol.KeySchema} does.
 */
public enum PublishMode {
    CLASSIC("PUBLISH"),
    SHARDED("SPUBLISH");

    private final String command;

    PublishMode(String command) {
        this.command = command;
    }

    public static PublishMode of(RedisTarget.Mode mode) {
        return mode == RedisTarget.Mode.CLUSTER ? SHARDED : CLASSIC;
    }

    /** The Redis command name, for scripts. */
    public String command() {
        return command;
    }

    /** Publishes; completes with the number of subscribers (nodes) that received it. */
    public CompletableFuture<Long> publish(RedisClusterAsyncCommands<String, String> redis, String topic, String payload) {
        return (this == SHARDED ? redis.spublish(topic, payload) : redis.publish(topic, payload)).toCompletableFuture();
    }
}
