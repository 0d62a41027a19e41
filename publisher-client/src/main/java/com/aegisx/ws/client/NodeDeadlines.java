package com.aegisx.ws.client;

import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Node liveness by Redis' clock: a node's heartbeat deadline in the {@code nodes} zset is written,
 * and compared, with Redis' TIME inside one script, never with the clock of the host that writes or
 * reads it. Before, each node wrote its own clock's time and every reader (other nodes, services
 * running the publisher client) compared with its own: a host whose clock ran ahead by more than
 * the heartbeat timeout took live nodes for dead, dropped their index entries from its queries and
 * swept them with its cleanup; a node whose clock ran behind was swept by the others.
 */
public final class NodeDeadlines {

    /** KEYS[1] the nodes zset; ARGV[1] 'live' (deadline now or later) or 'dead' (now or earlier). */
    private static final RedisScript BY_DEADLINE = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            if ARGV[1] == 'live' then
              return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
            end
            return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
            """);

    /** KEYS[1] the nodes zset; ARGV[1] the node id, ARGV[2] the heartbeat timeout in ms. Returns 1 when it was missing. */
    private static final RedisScript PUSH = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            return redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            """);

    /** KEYS[1] the nodes zset (so that the clock read is the one its deadlines are written with). */
    private static final RedisScript NOW = new RedisScript("""
            local t = redis.call('TIME')
            return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """);

    private NodeDeadlines() {
    }

    /** Redis' now in epoch ms, by the clock the deadlines are written with (to show a deadline's age). */
    public static CompletableFuture<Long> now(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        return NOW.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {keys.nodes()});
    }

    /** Ids of the nodes whose deadline has not passed. */
    public static CompletableFuture<List<String>> live(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        return byDeadline(redis, keys, "live");
    }

    /** Ids of the nodes whose deadline has passed (to be swept). */
    public static CompletableFuture<List<String>> dead(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        return byDeadline(redis, keys, "dead");
    }

    /** Pushes the node's deadline to Redis' now plus {@code timeout}; completes with true when the node was missing. */
    public static CompletableFuture<Boolean> push(RedisClusterAsyncCommands<String, String> redis, KeySchema keys,
                                                  String nodeId, Duration timeout) {
        return PUSH.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {keys.nodes()}, nodeId,
                Long.toString(timeout.toMillis())).thenApply(added -> added > 0);
    }

    private static CompletableFuture<List<String>> byDeadline(RedisClusterAsyncCommands<String, String> redis,
                                                              KeySchema keys, String which) {
        return BY_DEADLINE.<List<Object>>run(redis, ScriptOutputType.MULTI, new String[] {keys.nodes()}, which)
                .thenApply(ids -> {
                    List<String> out = new ArrayList<>(ids.size());
                    ids.forEach(id -> out.add(String.valueOf(id)));
                    return out;
                });
    }
}
