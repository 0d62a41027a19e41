package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.ConnectionRecords;
import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.Timestamps;
import com.aegisx.ws.server.core.ConnectionIndex;
import com.aegisx.ws.server.core.LocalConnection;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link ConnectionIndex} in Redis: a connection's hash, its place in the node, user, address and
 * channel indexes. Every method issues its commands pipelined and completes when Redis has
 * applied them all, on the node's callback executor.
 */
public final class RedisConnectionIndex implements ConnectionIndex {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final String nodeId;
    private final Executor callbacks;

    public RedisConnectionIndex(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, String nodeId,
                                Executor callbacks) {
        this.redis = redis;
        this.callbacks = callbacks;
        this.keys = keys;
        this.nodeId = nodeId;
    }

    @Override
    public CompletableFuture<Void> register(LocalConnection connection) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        Map<String, String> hash = new LinkedHashMap<>();
        hash.put("nodeId", nodeId);
        hash.put("userId", connection.userId() == null ? "" : connection.userId());
        hash.put("route", connection.route());
        hash.put("ip", connection.ip());
        hash.put("userAgent", connection.userAgent());
        hash.put("connectedAt", Timestamps.format(connection.connectedAt()));
        hash.put("lastActivity", Timestamps.formatMillis(connection.lastSeenMillis()));
        writes.add(redis.hset(keys.connection(connection.id()), hash).toCompletableFuture());
        writes.add(redis.sadd(keys.nodeConnections(nodeId), connection.id()).toCompletableFuture());
        if (connection.userId() != null) {
            writes.add(redis.hset(keys.userConnections(connection.userId()), connection.id(), nodeId).toCompletableFuture());
        }
        writes.add(redis.hset(keys.ipConnections(connection.ip()), connection.id(), nodeId).toCompletableFuture());
        for (String channel : connection.channels()) {
            writes.addAll(addChannelWrites(connection.id(), channel));
        }
        return all(writes);
    }

    @Override
    public CompletableFuture<Void> addChannel(String connectionId, String channel) {
        return all(addChannelWrites(connectionId, channel));
    }

    private List<CompletableFuture<?>> addChannelWrites(String connectionId, String channel) {
        return List.of(
                redis.hset(keys.channelMembers(channel), connectionId, nodeId).toCompletableFuture(),
                redis.sadd(keys.connectionChannels(connectionId), channel).toCompletableFuture());
    }

    @Override
    public CompletableFuture<Void> removeChannel(String connectionId, String channel) {
        return all(List.of(
                redis.hdel(keys.channelMembers(channel), connectionId).toCompletableFuture(),
                redis.srem(keys.connectionChannels(connectionId), channel).toCompletableFuture()));
    }

    /** Completes, once every delete is done, with true when this call removed the connection's hash. */
    @Override
    public CompletableFuture<Boolean> remove(LocalConnection connection, Collection<String> channels) {
        ConnectionRecords.Removal removal = ConnectionRecords.remove(redis, keys, connection.id(), nodeId,
                connection.userId(), connection.ip(), channels);
        return all(removal.writes()).thenCompose(ignored -> removal.hashRemoved());
    }

    /** Publishes lastActivity of sockets that were active since the previous flush (one pipelined round). */
    @Override
    public CompletableFuture<Void> flushActivity(Collection<LocalConnection> active) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (LocalConnection connection : active) {
            // Only if the hash still exists: a socket closing meanwhile must not be re-created.
            writes.add(TOUCH_IF_PRESENT.run(redis, ScriptOutputType.INTEGER,
                    new String[] {keys.connection(connection.id())},
                    Timestamps.formatMillis(connection.lastSeenMillis())));
        }
        return all(writes);
    }

    private static final RedisScript TOUCH_IF_PRESENT = new RedisScript(
            "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'lastActivity', ARGV[1]) end"
                    + " return 0");

    private CompletableFuture<Void> all(List<CompletableFuture<?>> futures) {
        return Callbacks.on(callbacks, CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)));
    }
}
