package com.aegisx.ws.client;

import com.aegisx.ws.client.events.LifecycleEvents;
import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.Range;
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
 * channel, user and address indexes, the connection hashes, and the node's own entries. What a
 * resume needs of each swept connection (its channels and user) is kept for the resume token's
 * lifetime ({@link ResumeRecords}): its clients resume on another node after the sweep too.
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
    private volatile LifecycleEvents events;
    private volatile Duration resumeTtl = ResumeRecords.DEFAULT_TTL;

    public DeadNodeSweeper(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Where swept connections are reported as disconnected (null: lifecycle events are off). */
    public void events(LifecycleEvents events) {
        this.events = events;
    }

    /** How long a swept connection's channels stay resumable (the nodes' RESUME_TOKEN_TTL). */
    public void resumeTtl(Duration ttl) {
        this.resumeTtl = ttl;
    }

    /** Sweeps every dead node this caller can lock; completes with the ids of the nodes swept. */
    public CompletableFuture<List<String>> sweep(String sweeperId) {
        long now = System.currentTimeMillis();
        return redis.zrangebyscore(keys.nodes(), Range.create(Double.NEGATIVE_INFINITY, (double) now))
                .toCompletableFuture()
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
                });
    }

    private CompletableFuture<String> sweepIfLocked(String nodeId, String sweeperId) {
        return redis.set(keys.nodeSweepLock(nodeId), sweeperId, SetArgs.Builder.nx().px(LOCK_MILLIS))
                .toCompletableFuture()
                .thenCompose(ok -> "OK".equals(ok)
                        ? sweepNode(nodeId).thenApply(ignored -> nodeId)
                        : CompletableFuture.completedFuture(null));
    }

    private CompletableFuture<Void> sweepNode(String nodeId) {
        return redis.smembers(keys.nodeConnections(nodeId)).toCompletableFuture()
                .thenCompose(this::removeConnections)
                .thenCompose(ignored -> CompletableFuture.allOf(
                        redis.del(keys.nodeConnections(nodeId), keys.node(nodeId)).toCompletableFuture(),
                        redis.zrem(keys.nodes(), nodeId).toCompletableFuture(),
                        redis.del(keys.nodeSweepLock(nodeId)).toCompletableFuture()));
    }

    private CompletableFuture<Void> removeConnections(Set<String> connectionIds) {
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
                if (!hash.isEmpty()) {
                    writes.add(ResumeRecords.keep(redis, keys, id, userId, chans, resumeTtl));
                }
                ConnectionRecords.Removal removal = ConnectionRecords.remove(redis, keys, id, hash.get("nodeId"),
                        userId, hash.get("ip"), chans);
                writes.addAll(removal.writes());
                LifecycleEvents sink = events;
                if (sink != null) {
                    // Only the sweeper whose DEL removed the hash reports it (the node may have raced us).
                    writes.add(removal.hashRemoved().thenCompose(removed -> removed
                            ? sink.disconnected(id, hash.get("nodeId"), userId, NODE_LOST_CODE, NODE_LOST_REASON, chans)
                            : CompletableFuture.completedFuture(null)));
                }
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
        });
    }
}
