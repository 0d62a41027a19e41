package com.aegisx.ws.client;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * How a backend service reaches the connected clients: through Redis alone, never through a node.
 *
 * <pre>{@code
 * try (WsPublisher ws = WsPublisher.connect("redis://localhost:6379")) {
 *     ws.broadcast("reports:system", Map.of("type", "maintenance_notice", "message", "in 30 minutes"));
 *     ws.sendToUser("user-uuid", Map.of("type", "user_notification", "message", "Your report is ready"));
 * }
 * }</pre>
 *
 * Thread-safe. Blocking calls are bounded by {@link PublisherOptions#timeout()}, Lettuce's command
 * timeout too, so a call that failed left nothing behind to be sent later ({@link Futures#await});
 * {@link #async()} gives the same operations as futures.
 */
public final class WsPublisher implements WebSocketOperations, AutoCloseable {

    private final RedisConnector owned;
    private final AsyncWsPublisher async;
    private final Duration timeout;

    private WsPublisher(RedisConnector owned, AsyncWsPublisher async, PublisherOptions options) {
        this.owned = owned;
        this.async = async;
        this.timeout = options.timeout();
    }

    /**
     * Connects with default options. Takes the nodes' {@code REDIS_URL} forms ({@link RedisTarget}):
     * {@code redis://} / {@code rediss://} (a cluster node is detected), {@code redis-sentinel://...
     * ?sentinelMasterId=...}, {@code redis-cluster://host:port,host:port}, all with credentials.
     */
    public static WsPublisher connect(String redisUrl) {
        return connect(redisUrl, PublisherOptions.defaults());
    }

    public static WsPublisher connect(String redisUrl, PublisherOptions options) {
        Objects.requireNonNull(redisUrl, "redisUrl");
        RedisConnector connector = RedisConnector.connect(options.target(redisUrl), RedisConnector.Settings.forPublisher(options));
        return new WsPublisher(connector,
                new AsyncWsPublisher(connector.async(), options.keys(), options.historyRules(), connector.publishMode()), options);
    }

    /** Uses a standalone connection owned by the caller; {@link #close()} leaves it open. */
    public static WsPublisher using(StatefulRedisConnection<String, String> connection, PublisherOptions options) {
        return new WsPublisher(null, new AsyncWsPublisher(connection.async(), options.keys(), options.historyRules()), options);
    }

    /** Uses a cluster connection owned by the caller (SPUBLISH); {@link #close()} leaves it open. */
    public static WsPublisher using(StatefulRedisClusterConnection<String, String> connection, PublisherOptions options) {
        return new WsPublisher(null, new AsyncWsPublisher(connection.async(), options.keys(), options.historyRules(), PublishMode.SHARDED),
                options);
    }

    public AsyncWsPublisher async() {
        return async;
    }

    @Override
    public long broadcast(String channel, Object message) {
        return await(async.broadcast(channel, message));
    }

    @Override
    public long broadcast(String channel, Object message, String excludeConnection) {
        return await(async.broadcast(channel, message, excludeConnection));
    }

    @Override
    public long sendToUser(String userId, Object message) {
        return await(async.sendToUser(userId, message));
    }

    @Override
    public boolean sendToConnection(String connectionId, Object message) {
        return await(async.sendToConnection(connectionId, message));
    }

    @Override
    public boolean subscribeToChannel(String connectionId, String channel) {
        return await(async.subscribeToChannel(connectionId, channel));
    }

    @Override
    public boolean unsubscribeFromChannel(String connectionId, String channel) {
        return await(async.unsubscribeFromChannel(connectionId, channel));
    }

    public boolean disconnect(String connectionId, int code, String reason) {
        return await(async.disconnect(connectionId, code, reason));
    }

    @Override
    public boolean disconnectConnection(String connectionId, int code, String reason) {
        return await(async.disconnectConnection(connectionId, code, reason));
    }

    @Override
    public int disconnectUser(String userId, int code, String reason) {
        return await(async.disconnectUser(userId, code, reason));
    }

    @Override
    public boolean isUserOnline(String userId) {
        return await(async.isUserOnline(userId));
    }

    @Override
    public long getOnlineUserCount() {
        return await(async.getOnlineUserCount());
    }

    @Override
    public List<ConnectionInfo> getConnectionsByChannel(String channel) {
        return await(async.getConnectionsByChannel(channel));
    }

    @Override
    public List<ConnectionInfo> getConnectionsByUser(String userId) {
        return await(async.getConnectionsByUser(userId));
    }

    @Override
    public long getActiveConnections() {
        return await(async.getActiveConnections());
    }

    @Override
    public void cleanupInactiveConnections() {
        await(async.cleanupInactiveConnections());
    }

    private <T> T await(CompletableFuture<T> future) {
        return Futures.await(future, timeout);
    }

    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
