package com.aegisx.ws.server.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;

/**
 * The node's Redis connections: one for commands (Lettuce pipelines every caller over it) and one
 * for pub/sub. Lettuce reconnects both by itself after an outage and re-issues the pub/sub
 * subscriptions; the node re-registers its state on top of that (see NodeRegistry).
 */
public final class RedisResources implements AutoCloseable {


    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    /** Replaced when the probe finds it silent ({@link #replacePubSub}). */
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private final java.util.List<io.lettuce.core.pubsub.RedisPubSubListener<String, String>> pubSubListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Owned here when this class created them (to carry the metrics' latency recorder), else null. */
    private io.lettuce.core.resource.ClientResources ownedResources;

    private RedisResources(RedisClient client) {
        this.client = client;
        this.commands = client.connect();
        this.pubSub = client.connectPubSub();
    }

    /**
     * Connects both; {@code commandTimeout} bounds every command (a future never hangs while Redis
     * is unreachable), {@code latencyRecorder} (may be null) records every command's latency.
     */
    public static RedisResources connect(String redisUrl, Duration commandTimeout, Duration connectTimeout,
                                         io.lettuce.core.metrics.CommandLatencyRecorder latencyRecorder) {
        io.lettuce.core.resource.ClientResources resources = latencyRecorder == null ? null
                : io.lettuce.core.resource.DefaultClientResources.builder().commandLatencyRecorder(latencyRecorder).build();
        RedisClient client = resources == null ? RedisClient.create(RedisURI.create(redisUrl))
                : RedisClient.create(resources, RedisURI.create(redisUrl));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).keepAlive(true).build())
                // Commands issued while Redis is down wait for the reconnect, bounded by the timeout above.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .build());
        try {
            RedisResources created = new RedisResources(client);
            created.ownedResources = resources;
            return created;
        } catch (RuntimeException e) {
            client.shutdown();
            if (resources != null) {
                resources.shutdown();
            }
            throw e;
        }
    }

    public RedisClient client() {
        return client;
    }

    public StatefulRedisConnection<String, String> commands() {
        return commands;
    }

    public StatefulRedisPubSubConnection<String, String> pubSub() {
        return pubSub;
    }

    /** Adds a listener to the pub/sub connection, and to any that replaces it. */
    public void addPubSubListener(io.lettuce.core.pubsub.RedisPubSubListener<String, String> listener) {
        pubSubListeners.add(listener);
        pubSub.addListener(listener);
    }

    /**
     * Opens a new pub/sub connection (with the listeners) and makes it current; the caller
     * subscribes it, then closes the returned old one. For a connection that went silent without
     * breaking (half-open), which Lettuce would never reconnect by itself.
     */
    public StatefulRedisPubSubConnection<String, String> replacePubSub() {
        StatefulRedisPubSubConnection<String, String> fresh = client.connectPubSub();
        pubSubListeners.forEach(fresh::addListener);
        StatefulRedisPubSubConnection<String, String> old = pubSub;
        pubSub = fresh;
        return old;
    }

    public boolean isConnected() {
        return commands.isOpen() && pubSub.isOpen();
    }

    @Override
    public void close() {
        try {
            pubSub.close();
            commands.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            if (ownedResources != null) {
                ownedResources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }
}
