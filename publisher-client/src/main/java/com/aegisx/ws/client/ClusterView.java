package com.aegisx.ws.client;

import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Cluster-wide reads over the Redis state: live nodes, connections by channel or user, counts.
 * Index entries that point at a node which is no longer alive are filtered out and removed.
 */
public final class ClusterView {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;

    public ClusterView(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /** Ids of nodes whose heartbeat deadline lies in the future, by Redis' clock ({@link NodeDeadlines}). */
    public CompletableFuture<Set<String>> liveNodes() {
        return NodeDeadlines.live(redis, keys).thenApply(HashSet::new);
    }

    public CompletableFuture<List<ConnectionInfo>> connectionsInIndex(String indexKey) {
        return redis.hgetall(indexKey).toCompletableFuture()
                .thenCombine(liveNodes(), (members, live) -> splitByLiveness(indexKey, members, live))
                .thenCompose(this::load);
    }

    private List<String> splitByLiveness(String indexKey, Map<String, String> members, Set<String> live) {
        List<String> alive = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        members.forEach((connectionId, nodeId) -> (live.contains(nodeId) ? alive : stale).add(connectionId));
        if (!stale.isEmpty()) {
            redis.hdel(indexKey, stale.toArray(String[]::new));
        }
        return alive;
    }

    /** Reads the hashes and channel sets of the given connections in one pipelined round. */
    public CompletableFuture<List<ConnectionInfo>> load(List<String> connectionIds) {
        Map<String, RedisFuture<Map<String, String>>> hashes = new LinkedHashMap<>();
        Map<String, RedisFuture<Set<String>>> channels = new LinkedHashMap<>();
        for (String id : connectionIds) {
            hashes.put(id, redis.hgetall(keys.connection(id)));
            channels.put(id, redis.smembers(keys.connectionChannels(id)));
        }
        List<CompletableFuture<?>> all = new ArrayList<>();
        hashes.values().forEach(f -> all.add(f.toCompletableFuture()));
        channels.values().forEach(f -> all.add(f.toCompletableFuture()));
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            List<ConnectionInfo> result = new ArrayList<>();
            for (String id : connectionIds) {
                Map<String, String> hash = hashes.get(id).toCompletableFuture().join();
                if (hash == null || hash.isEmpty()) {
                    continue; // closed between the index read and this one
                }
                result.add(toInfo(id, hash, channels.get(id).toCompletableFuture().join()));
            }
            return result;
        });
    }

    static ConnectionInfo toInfo(String id, Map<String, String> hash, Set<String> channels) {
        String userId = hash.get("userId");
        return new ConnectionInfo(
                id,
                userId == null || userId.isEmpty() ? null : userId,
                hash.get("nodeId"),
                Set.copyOf(channels),
                hash.get("lastActivity"),
                new ConnectionInfo.Metadata(hash.get("userAgent"), hash.get("ip"), hash.get("connectedAt")));
    }

    /** Sum of the connection sets of all live nodes. */
    public CompletableFuture<Long> activeConnections() {
        return liveNodes().thenCompose(nodes -> {
            List<CompletableFuture<Long>> counts = new ArrayList<>();
            for (String node : nodes) {
                counts.add(redis.scard(keys.nodeConnections(node)).toCompletableFuture());
            }
            return CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> counts.stream().mapToLong(CompletableFuture::join).sum());
        });
    }
}
