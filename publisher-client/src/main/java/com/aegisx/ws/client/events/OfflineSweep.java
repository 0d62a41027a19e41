package com.aegisx.ws.client.events;

import com.aegisx.ws.client.ClusterView;
import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the {@code user_offline} events that are due: the pending ones live in Redis (a zset per
 * event shard, filled when a user's last socket leaves), not in a timer of the node that saw it
 * leave, so they survive that node. Every node runs this about once a second (and a publisher
 * client's {@code cleanupInactiveConnections}); the script removes the entry with the event, so
 * each is written once whoever gets there first.
 */
public final class OfflineSweep {

    /** Users handled per shard and round; more wait for the next round. */
    static final int BATCH = 200;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final ClusterView view;

    public OfflineSweep(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this.redis = redis;
        this.keys = keys;
        this.view = new ClusterView(redis, keys);
    }

    /** Completes with the number of user_offline events this call wrote. */
    public CompletableFuture<Integer> run(String by) {
        // This clock only picks candidates; the script decides by Redis' clock (it wrote the due times).
        double now = System.currentTimeMillis();
        return view.liveNodes().thenCompose(live -> {
            List<CompletableFuture<Integer>> shards = new ArrayList<>();
            for (int shard = 0; shard < KeySchema.EVENT_SHARDS; shard++) {
                int s = shard;
                shards.add(redis.zrangebyscore(keys.offlineDue(s), Range.create(Double.NEGATIVE_INFINITY, now),
                                Limit.create(0, BATCH)).toCompletableFuture()
                        .thenCompose(users -> writeDue(s, users, by, live)));
            }
            return CompletableFuture.allOf(shards.toArray(CompletableFuture[]::new))
                    .thenApply(ignored -> shards.stream().mapToInt(CompletableFuture::join).sum());
        });
    }

    private CompletableFuture<Integer> writeDue(int shard, List<String> users, String by, Set<String> live) {
        List<CompletableFuture<Long>> written = new ArrayList<>();
        for (String userId : users) {
            List<String> args = new ArrayList<>(List.of(by, userId));
            args.addAll(live); // only entries of live nodes keep a user online (see user-offline.lua)
            written.add(EventScripts.USER_OFFLINE.run(redis, ScriptOutputType.INTEGER,
                    new String[] {keys.userConnections(userId), keys.userPresence(userId), keys.offlineDue(shard),
                            keys.events(shard)}, args.toArray(String[]::new)));
        }
        return CompletableFuture.allOf(written.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> (int) written.stream().filter(f -> f.join() == 1L).count());
    }
}
