package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.ConnectionRecords;
import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.client.events.EventOptions;
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
 * channel indexes, through the publisher client's {@link ConnectionRecords} (the same scripts a
 * dead node's sweeper uses), which write the lifecycle events in the same atomic steps. Every method
 * completes when Redis has applied its writes, on the node's callback executor.
 */
public final class RedisConnectionIndex implements ConnectionIndex {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final String nodeId;
    private final Executor callbacks;
    private final ConnectionRecords records;
    private final EventOptions events;

    /** @param events whether and how the index scripts write lifecycle events ({@link EventOptions#off} for none) */
    public RedisConnectionIndex(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, String nodeId,
                                Executor callbacks, EventOptions events) {
        this.redis = redis;
        this.callbacks = callbacks;
        this.keys = keys;
        this.nodeId = nodeId;
        this.records = new ConnectionRecords(redis, keys);
        this.events = events;
    }

    @Override
    public CompletableFuture<Void> register(LocalConnection connection) {
        Map<String, String> hash = new LinkedHashMap<>();
        hash.put("nodeId", nodeId);
        hash.put("userId", connection.userId() == null ? "" : connection.userId());
        hash.put("route", connection.route());
        hash.put("ip", connection.ip());
        hash.put("userAgent", connection.userAgent());
        hash.put("connectedAt", Timestamps.format(connection.connectedAt()));
        hash.put("lastActivity", Timestamps.formatMillis(connection.lastSeenMillis()));
        return Callbacks.on(callbacks, records.register(connection.id(), nodeId, connection.userId(), connection.ip(),
                hash, connection.channels(), events));
    }

    @Override
    public CompletableFuture<Void> addChannel(String connectionId, String channel) {
        return Callbacks.on(callbacks, records.addChannel(connectionId, nodeId, channel, events));
    }

    @Override
    public CompletableFuture<Void> removeChannel(String connectionId, String channel) {
        return Callbacks.on(callbacks, records.removeChannel(connectionId, channel, events));
    }

    /** Completes, once every delete is done, with true when this call removed the connection's hash. */
    @Override
    public CompletableFuture<Boolean> remove(LocalConnection connection, Collection<String> channels, int code,
                                             String reason) {
        return Callbacks.on(callbacks, records.remove(connection.id(), nodeId, connection.userId(), connection.ip(),
                channels, code, reason, events));
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
