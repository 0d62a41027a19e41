package com.aegisx.ws.client;

import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Redis writes that remove one connection from every index. Shared by a node closing its own
 * socket and by the sweeper cleaning up after a dead node, so both leave exactly the same state.
 */
public final class ConnectionRecords {

    private ConnectionRecords() {
    }

    /**
     * The writes of one removal; {@code hashRemoved} completes with true for the one caller whose
     * DEL removed the connection's hash (a node closing its socket and a sweeper racing it cannot
     * both see true): that caller reports the disconnection.
     */
    public record Removal(List<CompletableFuture<?>> writes, CompletableFuture<Boolean> hashRemoved) {
    }

    /** Issues the deletes (pipelined) and returns their futures. */
    public static Removal remove(
            RedisClusterAsyncCommands<String, String> redis, KeySchema keys, String connectionId, String nodeId,
            String userId, String ip, Collection<String> channels) {
        List<CompletableFuture<?>> writes = new ArrayList<>();
        for (String channel : channels) {
            writes.add(redis.hdel(keys.channelMembers(channel), connectionId).toCompletableFuture());
        }
        if (userId != null && !userId.isEmpty()) {
            writes.add(redis.hdel(keys.userConnections(userId), connectionId).toCompletableFuture());
        }
        if (ip != null && !ip.isEmpty()) {
            writes.add(redis.hdel(keys.ipConnections(ip), connectionId).toCompletableFuture());
        }
        if (nodeId != null && !nodeId.isEmpty()) {
            writes.add(redis.srem(keys.nodeConnections(nodeId), connectionId).toCompletableFuture());
        }
        writes.add(redis.del(keys.connectionChannels(connectionId)).toCompletableFuture());
        CompletableFuture<Long> hash = redis.del(keys.connection(connectionId)).toCompletableFuture();
        writes.add(hash);
        return new Removal(writes, hash.thenApply(deleted -> deleted != null && deleted > 0));
    }
}
