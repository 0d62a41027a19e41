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

    /** Bound on every command, so a future never hangs while Redis is unreachable. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;

    private RedisResources(RedisClient client) {
        this.client = client;
        this.commands = client.connect();
        this.pubSub = client.connectPubSub();
    }

    public static RedisResources connect(String redisUrl) {
        RedisClient client = RedisClient.create(RedisURI.create(redisUrl));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).keepAlive(true).build())
                // Commands issued while Redis is down wait for the reconnect, bounded by the timeout above.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .build());
        try {
            return new RedisResources(client);
        } catch (RuntimeException e) {
            client.shutdown();
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
        }
    }
}
