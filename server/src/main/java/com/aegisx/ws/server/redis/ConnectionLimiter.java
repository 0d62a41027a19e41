package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.ClusterView;
import com.aegisx.ws.client.ConnectionRecords;
import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.core.ConnectionLimits;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Cluster-wide connection limits per user and per client address, decided at the upgrade.
 *
 * <p>The counts are the user and address index hashes the registry keeps anyway
 * ({@link KeySchema#userConnections}, {@link KeySchema#ipConnections}). A reservation is an atomic
 * check-and-add of the future connection id into each hash (a single-key Lua script, so it stays
 * Redis Cluster safe, and O(1) in the hash's size): two upgrades racing on two nodes cannot both
 * take the last place. Entries of nodes that are no longer alive are removed by the dead-node sweep
 * and, a few at a time, by checks that find the limit reached (see {@link #RESERVE}). The reservation becomes the connection's real index entry
 * when it registers, and is removed with it; an upgrade that never opens a socket releases it.
 */
public final class ConnectionLimiter implements ConnectionLimits {

    /**
     * KEYS[1] index hash; ARGV[1] connection id, ARGV[2] this node, ARGV[3] limit, ARGV[4] how many
     * entries to sample at the limit, ARGV[5..] live nodes. Returns 1 when reserved, 0 when the
     * limit is reached.
     *
     * <p>O(1) in the size of the hash: HLEN decides. Only at the limit a few random entries are
     * checked, and those of dead nodes removed (leftovers of reservations a crashed node held; its
     * registered connections are removed by the dead-node sweep). The former script read and
     * walked the whole hash on every upgrade: ~400 µs of the shared Redis per refused upgrade at
     * 1,000 entries, so ~2,500 refused upgrades a second saturated it (issue 10, item 4).
     */
    static final String RESERVE = """
            local limit = tonumber(ARGV[3])
            local count = redis.call('HLEN', KEYS[1])
            if count >= limit then
              local live = {}
              for i = 5, #ARGV do live[ARGV[i]] = true end
              local sample = redis.call('HRANDFIELD', KEYS[1], tonumber(ARGV[4]), 'WITHVALUES')
              for i = 1, #sample, 2 do
                if not live[sample[i + 1]] then
                  redis.call('HDEL', KEYS[1], sample[i])
                  count = count - 1
                end
              end
              if count >= limit then return 0 end
            end
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            return 1
            """;

    /** Entries checked for dead nodes per refused reservation: bounded work, and leftovers go over time. */
    static final int PRUNE_SAMPLE = 5;

    private static final RedisScript RESERVE_SCRIPT = new RedisScript(RESERVE);

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final String nodeId;
    private final ClusterView view;
    private final ConnectionRecords records;
    private final int perUser;
    private final int perIp;
    private final Executor callbacks;

    public ConnectionLimiter(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, String nodeId,
                             int perUser, int perIp, Executor callbacks) {
        this.callbacks = callbacks;
        this.redis = redis;
        this.keys = keys;
        this.nodeId = nodeId;
        this.view = new ClusterView(redis, keys);
        this.records = new ConnectionRecords(redis, keys);
        this.perUser = perUser;
        this.perIp = perIp;
    }

    @Override
    public boolean enabled() {
        return perUser > 0 || perIp > 0;
    }

    /** Completes with null when both places were reserved, else with the refusal (and nothing reserved). */
    @Override
    public CompletableFuture<Refusal> reserve(String connectionId, String userId, String ip) {
        boolean checkUser = perUser > 0 && userId != null;
        boolean checkIp = perIp > 0 && ip != null;
        if (!checkUser && !checkIp) {
            return CompletableFuture.completedFuture(null);
        }
        return Callbacks.on(callbacks, view.liveNodes().thenCompose(live -> {
            CompletableFuture<Boolean> user = checkUser
                    ? reserveIn(keys.userConnections(userId), connectionId, perUser, live)
                    : CompletableFuture.completedFuture(true);
            CompletableFuture<Boolean> address = checkIp
                    ? reserveIn(keys.ipConnections(ip), connectionId, perIp, live)
                    : CompletableFuture.completedFuture(true);
            return user.thenCombine(address, (userOk, ipOk) -> {
                if (userOk && ipOk) {
                    return null;
                }
                // Give back the one place that was taken, so a refusal leaves no trace.
                if (userOk && checkUser) {
                    records.removeUserEntry(userId, connectionId);
                }
                if (ipOk && checkIp) {
                    redis.hdel(keys.ipConnections(ip), connectionId);
                }
                return userOk ? Refusal.IP_LIMIT : Refusal.USER_LIMIT;
            });
        }));
    }

    /** Removes a reservation whose upgrade did not open a socket. */
    @Override
    public CompletableFuture<Void> release(String connectionId, String userId, String ip) {
        List<CompletableFuture<?>> deletes = new ArrayList<>();
        if (userId != null) {
            // Through the user script: the user's online state follows its index (ConnectionRecords).
            deletes.add(records.removeUserEntry(userId, connectionId));
        }
        if (ip != null) {
            deletes.add(redis.hdel(keys.ipConnections(ip), connectionId).toCompletableFuture());
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Boolean> reserveIn(String key, String connectionId, int limit, Set<String> live) {
        List<String> args = new ArrayList<>();
        args.add(connectionId);
        args.add(nodeId);
        args.add(Integer.toString(limit));
        args.add(Integer.toString(PRUNE_SAMPLE));
        args.add(nodeId); // this node counts even before its first heartbeat lands
        args.addAll(live);
        String[] keyArray = {key};
        String[] argArray = args.toArray(String[]::new);
        return RESERVE_SCRIPT.<Long>run(redis, ScriptOutputType.INTEGER, keyArray, argArray)
                .thenApply(result -> result != null && result == 1L);
    }
}
