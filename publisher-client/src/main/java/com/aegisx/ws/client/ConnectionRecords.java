package com.aegisx.ws.client;

import com.aegisx.ws.client.events.EventOptions;
import com.aegisx.ws.client.events.EventScripts;
import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The Redis writes that add one connection to every index and remove it again. Shared by a node
 * (its own sockets) and by every sweeper of a dead node (a node or a publisher client), so all
 * leave the same state and write the same lifecycle events, once each.
 *
 * <p>Each lifecycle event is written by the script that makes the change it reports, in the same
 * atomic step: {@code connected}/{@code disconnected}/{@code subscribed}/{@code unsubscribed} with
 * the connection's hash and channel set, {@code user_online} with the user index, {@code user_offline}
 * with the user's pending-offline entry ({@code EventScripts}). The other indexes (node, channel,
 * address) live in other slots and are written around them in an order that lets a sweeper finish
 * what a dying node left half done: the node's connection set first on the way in and last on the
 * way out, the connection's hash (which names the user and the address) before and after the rest.
 */
public final class ConnectionRecords {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final ClusterView view;

    public ConnectionRecords(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this.redis = redis;
        this.keys = keys;
        this.view = new ClusterView(redis, keys);
    }

    /**
     * Writes the connection and every index entry it has (idempotent). {@code hash}: the
     * connection hash's fields ({@code nodeId}, {@code userId}, {@code ip}, ...).
     */
    public CompletableFuture<Void> register(String connectionId, String nodeId, String userId, String ip,
                                            Map<String, String> hash, Collection<String> channels,
                                            EventOptions events) {
        List<String> args = new ArrayList<>(List.of(flag(events), cap(events), events.by(), connectionId, nodeId,
                orEmpty(userId), Integer.toString(hash.size())));
        hash.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        args.addAll(channels);
        return redis.sadd(keys.nodeConnections(nodeId), connectionId).toCompletableFuture()
                .thenCompose(ignored -> EventScripts.CONNECTION_OPEN.<Long>run(redis, ScriptOutputType.INTEGER,
                        connectionKeys(connectionId), args.toArray(String[]::new)))
                .thenCompose(ignored -> {
                    List<CompletableFuture<?>> writes = new ArrayList<>();
                    if (userId != null && !userId.isEmpty()) {
                        writes.add(EventScripts.USER_ADD.run(redis, ScriptOutputType.INTEGER, userKeys(userId, true),
                                flag(events), cap(events), events.by(), connectionId, nodeId, userId,
                                Long.toString(events.grace().toMillis())));
                    }
                    if (ip != null && !ip.isEmpty()) {
                        writes.add(redis.hset(keys.ipConnections(ip), connectionId, nodeId).toCompletableFuture());
                    }
                    for (String channel : channels) {
                        writes.add(redis.hset(keys.channelMembers(channel), connectionId, nodeId).toCompletableFuture());
                    }
                    return all(writes);
                });
    }

    /** Adds the channel to the connection's set and the channel's index ({@code subscribed}). */
    public CompletableFuture<Void> addChannel(String connectionId, String nodeId, String channel, EventOptions events) {
        // -1 from the script: the connection's hash is gone (swept while cut off); the node's
        // re-registration writes the channel with the rest.
        return all(List.of(
                redis.hset(keys.channelMembers(channel), connectionId, nodeId).toCompletableFuture(),
                EventScripts.CONNECTION_CHANNEL.run(redis, ScriptOutputType.INTEGER, connectionKeys(connectionId),
                        flag(events), cap(events), events.by(), connectionId, channel, "1")));
    }

    /** Removes the channel from the connection's set and the channel's index ({@code unsubscribed}). */
    public CompletableFuture<Void> removeChannel(String connectionId, String channel, EventOptions events) {
        return all(List.of(
                redis.hdel(keys.channelMembers(channel), connectionId).toCompletableFuture(),
                EventScripts.CONNECTION_CHANNEL.run(redis, ScriptOutputType.INTEGER, connectionKeys(connectionId),
                        flag(events), cap(events), events.by(), connectionId, channel, "0")));
    }

    /**
     * Removes the connection from every index; completes with true for the one caller whose script
     * removed the connection's hash (and wrote {@code disconnected}): a node closing its socket and
     * a sweeper racing it cannot both see true. That caller reports the disconnection elsewhere
     * (presence leaves).
     */
    public CompletableFuture<Boolean> remove(String connectionId, String nodeId, String userId, String ip,
                                             Collection<String> channels, int code, String reason,
                                             EventOptions events) {
        List<CompletableFuture<?>> first = new ArrayList<>();
        for (String channel : channels) {
            first.add(redis.hdel(keys.channelMembers(channel), connectionId).toCompletableFuture());
        }
        if (userId != null && !userId.isEmpty()) {
            first.add(removeUserEntry(userId, connectionId));
        }
        if (ip != null && !ip.isEmpty()) {
            first.add(redis.hdel(keys.ipConnections(ip), connectionId).toCompletableFuture());
        }
        return all(first)
                .thenCompose(ignored -> EventScripts.CONNECTION_CLOSE.<Long>run(redis, ScriptOutputType.INTEGER,
                        connectionKeys(connectionId), flag(events), cap(events), events.by(), connectionId,
                        Integer.toString(code), reason == null ? "" : reason))
                .thenCompose(removed -> (nodeId == null || nodeId.isEmpty()
                        ? CompletableFuture.<Long>completedFuture(0L)
                        : redis.srem(keys.nodeConnections(nodeId), connectionId).toCompletableFuture())
                        .thenApply(ignored -> removed != null && removed == 1L));
    }

    /**
     * Removes one entry of a user's index (a closed socket, or a reservation whose upgrade failed);
     * when no entry of a live node is left, the user leaves the online set and its
     * {@code user_offline} becomes due.
     */
    public CompletableFuture<Long> removeUserEntry(String userId, String connectionId) {
        // Only entries of live nodes keep the user online (see user-remove.lua).
        return view.liveNodes().thenCompose(live -> {
            List<String> args = new ArrayList<>(List.of(connectionId, userId));
            args.addAll(live);
            return EventScripts.USER_REMOVE.<Long>run(redis, ScriptOutputType.INTEGER, userKeys(userId, false),
                    args.toArray(String[]::new));
        });
    }

    private String[] connectionKeys(String connectionId) {
        return new String[] {keys.connection(connectionId), keys.connectionChannels(connectionId),
                keys.events(KeySchema.shardOf(connectionId))};
    }

    private String[] userKeys(String userId, boolean withStream) {
        int shard = KeySchema.shardOf(userId);
        return withStream
                ? new String[] {keys.userConnections(userId), keys.userPresence(userId), keys.onlineUsers(shard),
                        keys.offlineDue(shard), keys.events(shard)}
                : new String[] {keys.userConnections(userId), keys.userPresence(userId), keys.onlineUsers(shard),
                        keys.offlineDue(shard)};
    }

    private static String flag(EventOptions events) {
        return events.enabled() ? "1" : "0";
    }

    private static String cap(EventOptions events) {
        return Long.toString(events.shardCap());
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static CompletableFuture<Void> all(List<CompletableFuture<?>> futures) {
        return CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
    }
}
