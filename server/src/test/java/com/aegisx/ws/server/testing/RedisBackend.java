package com.aegisx.ws.server.testing;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * What a multi-node test needs from Redis, whichever kind runs it: a standalone server
 * ({@link RedisFixture}) or a Redis Cluster ({@link RedisClusterFixture}). Suites written against
 * it run unchanged on both.
 */
public interface RedisBackend {

    /** The {@code REDIS_URL} nodes and publishers are given. */
    String url();

    /** A fresh key prefix for one test. */
    String uniquePrefix();

    /** Commands for assertions (routed by slot on a cluster); shared, do not close. */
    RedisClusterCommands<String, String> sync();

    /** What {@code redis-cli PUBLISH} (or {@code SPUBLISH} on a cluster) would do; returns the receivers. */
    long publish(String topic, String payload);

    /** Subscribers of a topic: PUBSUB NUMSUB, or PUBSUB SHARDNUMSUB on the master of its slot. */
    long subscribers(String topic);

    /** True for a Redis Cluster (sharded pub/sub). */
    boolean sharded();

    /** Settings a node needs beside REDIS_URL (REDIS_TLS_* files for a TLS Redis). */
    default java.util.Map<String, String> nodeEnv() {
        return java.util.Map.of();
    }

    /** What a publisher needs beside {@link #url()}: TLS material, sentinel credentials. */
    default com.aegisx.ws.client.PublisherOptions.Builder publisherOptions(
            com.aegisx.ws.client.PublisherOptions.Builder builder) {
        return builder;
    }
}
