package com.aegisx.ws.client;

import com.aegisx.ws.client.events.EventOptions;
import com.aegisx.ws.client.events.OfflineSweep;
import com.aegisx.ws.protocol.ChannelPattern;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.PresenceMessages;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Removes every trace of nodes whose heartbeat deadline has passed: their connections from the
 * channel, user and address indexes, the connection hashes, and the node's own entries; and, as the
 * dead node would have, writes each swept socket's lifecycle events ({@code disconnected}, its user's
 * pending {@code user_offline}) and publishes a {@code presence_leave} on each of its presence
 * channels, through the same {@link ConnectionRecords} scripts a node closing a socket uses, so
 * each is written once whoever removes the connection. What the dead node had enabled (events,
 * presence channels) is read from its registry hash ({@link NodeTraits}). What a resume needs of each
 * swept connection (its channels and user) is kept for the resume token's lifetime first
 * ({@link ResumeRecords}): its clients resume on another node after the sweep too.
 *
 * <p>Any node (or a publisher client) may run it; a short lock per dead node makes sure only one
 * sweeper works on it at a time. A node that was only cut off and comes back sees that its entry
 * vanished on its next heartbeat and registers its connections again.
 */
public final class DeadNodeSweeper {

    /** Long enough for a sweep of a large node, short enough that a crashed sweeper is replaced soon. */
    public static final long LOCK_MILLIS = 30_000;

    /** The close code and reason of a {@code disconnected} event for a socket swept with its dead node. */
    public static final int NODE_LOST_CODE = 1006;
    public static final String NODE_LOST_REASON = "node lost";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final PublishMode publishMode;
    private final ConnectionRecords records;
    private final OfflineSweep offlines;
    private volatile Duration resumeTtl = ResumeRecords.DEFAULT_TTL;

    /** @param publishMode how presence leaves are published (SPUBLISH on a Redis Cluster) */
    public DeadNodeSweeper(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, PublishMode publishMode) {
        this.redis = redis;
        this.keys = keys;
        this.publishMode = publishMode;
        this.records = new ConnectionRecords(redis, keys);
        this.offlines = new OfflineSweep(redis, keys);
    }

    /** How long a swept connection's channels stay resumable (the nodes' RESUME_TOKEN_TTL). */
    public void resumeTtl(Duration ttl) {
        this.resumeTtl = ttl;
    }

    /**
     * Sweeps every dead node this caller can lock, then writes the user_offline events that are
     * due; completes with the ids of the nodes swept.
     */
    public CompletableFuture<List<String>> sweep(String sweeperId) {
        // Dead by Redis' clock, not this host's (NodeDeadlines).
        return NodeDeadlines.dead(redis, keys)
                .thenCompose(dead -> {
                    List<CompletableFuture<String>> swept = new ArrayList<>();
                    for (String node : dead) {
                        swept.add(sweepIfLocked(node, sweeperId));
                    }
                    return CompletableFuture.allOf(swept.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
                        List<String> ids = new ArrayList<>();
                        swept.forEach(f -> {
                            if (f.join() != null) {
                                ids.add(f.join());
                            }
                        });
                        return ids;
                    });
                })
                .thenCompose(ids -> offlines.run(sweeperId).thenApply(ignored -> ids));
    }

    /** Writes the user_offline events that are due (also part of {@link #sweep}); completes with how many. */
    public CompletableFuture<Integer> writeDueOfflines(String sweeperId) {
        return offlines.run(sweeperId);
    }

    private CompletableFuture<String> sweepIfLocked(String nodeId, String sweeperId) {
        return redis.set(keys.nodeSweepLock(nodeId), sweeperId, SetArgs.Builder.nx().px(LOCK_MILLIS))
                .toCompletableFuture()
                .thenCompose(ok -> "OK".equals(ok)
                        ? sweepNode(nodeId, sweeperId).thenApply(ignored -> nodeId)
                        : CompletableFuture.completedFuture(null));
    }

    private CompletableFuture<Void> sweepNode(String nodeId, String sweeperId) {
        // The node's hash first: it says what the node had enabled (deleted last, with its entries).
        return redis.hgetall(keys.node(nodeId)).toCompletableFuture().thenApply(NodeTraits::fromHash)
                .thenCompose(traits -> redis.smembers(keys.nodeConnections(nodeId)).toCompletableFuture()
                        .thenCompose(ids -> removeConnections(nodeId, ids, traits, sweeperId)))
                .thenCompose(ignored -> CompletableFuture.allOf(
                        redis.del(keys.nodeConnections(nodeId), keys.node(nodeId)).toCompletableFuture(),
                        redis.zrem(keys.nodes(), nodeId).toCompletableFuture(),
                        redis.del(keys.nodeSweepLock(nodeId)).toCompletableFuture()));
    }

    private CompletableFuture<Void> removeConnections(String nodeId, Set<String> connectionIds, NodeTraits traits,
                                                      String sweeperId) {
        EventOptions events = traits.events(sweeperId);
        List<ChannelPattern> presence = traits.presencePatterns();
        List<CompletableFuture<?>> reads = new ArrayList<>();
        List<RedisFuture<Map<String, String>>> hashes = new ArrayList<>();
        List<RedisFuture<Set<String>>> channels = new ArrayList<>();
        List<String> ids = new ArrayList<>(connectionIds);
        for (String id : ids) {
            RedisFuture<Map<String, String>> hash = redis.hgetall(keys.connection(id));
            RedisFuture<Set<String>> chans = redis.smembers(keys.connectionChannels(id));
            hashes.add(hash);
            channels.add(chans);
            reads.add(hash.toCompletableFuture());
            reads.add(chans.toCompletableFuture());
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenCompose(ignored -> {
            List<CompletableFuture<?>> writes = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                Map<String, String> hash = hashes.get(i).toCompletableFuture().join();
                Set<String> chans = channels.get(i).toCompletableFuture().join();
                String id = ids.get(i);
                String userId = hash.get("userId") == null || hash.get("userId").isEmpty() ? null : hash.get("userId");
                // Before the records go: the client of a killed node may still resume elsewhere.
                CompletableFuture<Void> kept = hash.isEmpty() ? CompletableFuture.completedFuture(null)
                        : ResumeRecords.keep(redis, keys, id, userId, chans, resumeTtl);
                writes.add(kept.thenCompose(resumable -> records.remove(id, nodeId, userId, hash.get("ip"), chans,
                                NODE_LOST_CODE, NODE_LOST_REASON, events))
                        // Only the caller whose script removed the hash reports it (the node may have raced us).
                        .thenCompose(removed -> removed ? leave(presence, chans, id, userId)
                                : CompletableFuture.completedFuture(null)));
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
        });
    }

    /** A presence_leave on each of the swept socket's channels that has presence. */
    private CompletableFuture<Void> leave(List<ChannelPattern> presence, Set<String> channels, String connectionId,
                                          String userId) {
        List<CompletableFuture<?>> published = new ArrayList<>();
        for (String channel : channels) {
            if (presence.stream().anyMatch(pattern -> pattern.matches(channel))) {
                published.add(publishMode.publish(redis, keys.channelTopic(channel),
                        PresenceMessages.of(PresenceMessages.LEAVE, channel, connectionId, userId)));
            }
        }
        return CompletableFuture.allOf(published.toArray(CompletableFuture[]::new));
    }
}
