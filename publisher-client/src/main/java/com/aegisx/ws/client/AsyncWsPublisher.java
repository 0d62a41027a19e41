package com.aegisx.ws.client;

import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.NodeCommand;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.client.history.History;
import com.aegisx.ws.client.history.HistoryRules;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The non-blocking implementation of the manager operations. Every write is one PUBLISH (SPUBLISH
 * on a Redis Cluster, routed to the shard of the topic's slot); queries
 * are one index read plus one pipelined read of the connection hashes.
 */
public final class AsyncWsPublisher implements AsyncWebSocketOperations {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final PublishMode publishMode;
    private final ClusterView view;
    private final DeadNodeSweeper sweeper;
    private final History history;

    /** Over a standalone or Sentinel connection (classic PUBLISH), with the default {@link HistoryRules}. */
    public AsyncWsPublisher(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this(redis, keys, HistoryRules.defaults(), PublishMode.CLASSIC);
    }

    /** Over any connection, publishing the way {@code publishMode} says (SPUBLISH on a cluster). */
    public AsyncWsPublisher(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, PublishMode publishMode) {
        this(redis, keys, HistoryRules.defaults(), publishMode);
    }

    /** Classic PUBLISH, with {@code historyRules} (see below). */
    public AsyncWsPublisher(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, HistoryRules historyRules) {
        this(redis, keys, historyRules, PublishMode.CLASSIC);
    }

    /**
     * Broadcasts on channels {@code historyRules} gives a history go through the history script
     * (append, then publish, atomically); they must be the nodes' HISTORY_RULES. {@code publishMode}:
     * PUBLISH, or SPUBLISH on a Redis Cluster (the script uses the same command).
     */
    public AsyncWsPublisher(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, HistoryRules historyRules,
                            PublishMode publishMode) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.publishMode = Objects.requireNonNull(publishMode, "publishMode");
        this.view = new ClusterView(redis, keys);
        this.sweeper = new DeadNodeSweeper(redis, keys, publishMode);
        this.history = new History(redis, keys, historyRules, publishMode == PublishMode.SHARDED);
    }

    /** The channel histories this publisher writes to (and a node reads from). */
    public History history() {
        return history;
    }

    public KeySchema keys() {
        return keys;
    }

    public ClusterView view() {
        return view;
    }

    public PublishMode publishMode() {
        return publishMode;
    }

    @Override
    public CompletableFuture<Long> broadcast(String channel, Object message) {
        return broadcast(channel, message, null);
    }

    @Override
    public CompletableFuture<Long> broadcast(String channel, Object message, String excludeConnection) {
        ChannelNames.requireValid(channel);
        if (history.rules().hasHistory(channel)) {
            // Stamped without the envelope: the script stores the exclude beside the message.
            return history.publish(channel, encode(message, channel, null), excludeConnection)
                    .thenApply(History.Published::receivers);
        }
        return publish(keys.channelTopic(channel), encode(message, channel, excludeConnection));
    }

    @Override
    public CompletableFuture<Long> sendToUser(String userId, Object message) {
        requireUserId(userId);
        return publish(keys.userTopic(userId), encode(message, null, null));
    }

    /** A String is JSON text and keeps its form (numbers as written); anything else goes through Jackson. */
    private static String encode(Object message, String channel, String excludeConnection) {
        return message instanceof String text
                ? WireFormat.encodeText(text, channel, excludeConnection)
                : WireFormat.encode(Json.toObject(message), channel, excludeConnection);
    }

    @Override
    public CompletableFuture<Boolean> sendToConnection(String connectionId, Object message) {
        NodeCommand command = NodeCommand.send(connectionId, WireFormat.stamp(Json.toObject(message), null));
        return command(connectionId, command);
    }

    @Override
    public CompletableFuture<Boolean> subscribeToChannel(String connectionId, String channel) {
        ChannelNames.requireValid(channel);
        return command(connectionId, NodeCommand.subscribe(connectionId, channel));
    }

    @Override
    public CompletableFuture<Boolean> unsubscribeFromChannel(String connectionId, String channel) {
        ChannelNames.requireValid(channel);
        return command(connectionId, NodeCommand.unsubscribe(connectionId, channel));
    }

    /** Asks the node holding the connection to close it with the given code. */
    public CompletableFuture<Boolean> disconnect(String connectionId, int code, String reason) {
        return command(connectionId, NodeCommand.disconnect(connectionId, code, reason));
    }

    @Override
    public CompletableFuture<Boolean> disconnectConnection(String connectionId, int code, String reason) {
        return disconnect(connectionId, code, reason);
    }

    @Override
    public CompletableFuture<Integer> disconnectUser(String userId, int code, String reason) {
        requireUserId(userId);
        return redis.hgetall(keys.userConnections(userId)).toCompletableFuture().thenCompose(members -> {
            List<CompletableFuture<Boolean>> asked = new ArrayList<>();
            for (String connectionId : members.keySet()) {
                // An entry that is no connection id is nobody to close. Any other failure (Redis
                // refused or did not answer) fails the call: counted as "not asked", it passed for
                // a user with fewer connections than they have.
                if (Identifiers.nodeOf(connectionId) != null) {
                    asked.add(disconnect(connectionId, code, reason));
                }
            }
            return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> (int) asked.stream().filter(CompletableFuture::join).count());
        });
    }

    /**
     * Users with at least one registered connection: the sum of the {@value KeySchema#EVENT_SHARDS}
     * online sets' SCARD, kept by the same scripts that write the user index ({@link ConnectionRecords}).
     * O(shards) on any deployment, a Redis Cluster included; a dead node's users count until its
     * sweep (within the heartbeat timeout).
     */
    @Override
    public CompletableFuture<Long> getOnlineUserCount() {
        List<CompletableFuture<Long>> sizes = new ArrayList<>();
        for (int shard = 0; shard < KeySchema.EVENT_SHARDS; shard++) {
            sizes.add(redis.scard(keys.onlineUsers(shard)).toCompletableFuture());
        }
        return CompletableFuture.allOf(sizes.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> sizes.stream().mapToLong(CompletableFuture::join).sum());
    }

    @Override
    public CompletableFuture<Boolean> isUserOnline(String userId) {
        requireUserId(userId);
        return redis.hgetall(keys.userConnections(userId)).toCompletableFuture()
                .thenCombine(view.liveNodes(), (members, live) -> members.values().stream().anyMatch(live::contains));
    }

    @Override
    public CompletableFuture<List<ConnectionInfo>> getConnectionsByChannel(String channel) {
        ChannelNames.requireValid(channel);
        return view.connectionsInIndex(keys.channelMembers(channel));
    }

    @Override
    public CompletableFuture<List<ConnectionInfo>> getConnectionsByUser(String userId) {
        requireUserId(userId);
        return view.connectionsInIndex(keys.userConnections(userId));
    }

    @Override
    public CompletableFuture<Long> getActiveConnections() {
        return view.activeConnections();
    }

    /**
     * Sends the cleanup command to every live node, then sweeps the state of dead nodes (with the
     * lifecycle events and presence leaves their nodes would have written) and writes due user_offline events.
     */
    @Override
    public CompletableFuture<Void> cleanupInactiveConnections() {
        String cleanup = NodeCommand.cleanup().encode();
        return view.liveNodes().thenCompose(nodes -> {
            List<CompletableFuture<?>> sent = new ArrayList<>();
            for (String node : nodes) {
                sent.add(publish(keys.inbox(node), cleanup));
            }
            sent.add(sweeper.sweep("publisher-" + Identifiers.newNodeId()));
            return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
        });
    }

    private CompletableFuture<Boolean> command(String connectionId, NodeCommand command) {
        String nodeId = Identifiers.nodeOf(connectionId);
        if (nodeId == null) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("not a connection id: '" + connectionId + "'"));
        }
        // The connection's hash exists from registration to close (a sweep of a dead node removes
        // it too): without it there is nobody to deliver to, whatever the node's inbox says.
        return redis.exists(keys.connection(connectionId)).toCompletableFuture().thenCompose(found -> found == 0
                ? CompletableFuture.completedFuture(false)
                : publish(keys.inbox(nodeId), command.encode()).thenApply(receivers -> receivers > 0));
    }

    private CompletableFuture<Long> publish(String topic, String payload) {
        return publishMode.publish(redis, topic, payload);
    }

    private static void requireUserId(String userId) {
        if (!Identifiers.isValidUserId(userId)) {
            throw new IllegalArgumentException("not a valid user id: '" + userId + "'");
        }
    }
}
