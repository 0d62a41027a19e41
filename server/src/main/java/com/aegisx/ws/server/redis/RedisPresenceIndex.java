package com.aegisx.ws.server.redis;

import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.core.PresenceIndex;
import io.lettuce.core.MapScanCursor;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A channel's members from its index hash {@code ws:chan:{channel}}: HLEN for the count, one HSCAN
 * page for up to {@code cap} connection ids (which ones, when there are more, is Redis' choice),
 * then their user ids from the connection hashes, pipelined.
 */
public final class RedisPresenceIndex implements PresenceIndex {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final Executor callbacks;

    public RedisPresenceIndex(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, Executor callbacks) {
        this.redis = redis;
        this.keys = keys;
        this.callbacks = callbacks;
    }

    @Override
    public CompletableFuture<Snapshot> members(String channel, int cap) {
        String index = keys.channelMembers(channel);
        CompletableFuture<Long> count = redis.hlen(index).toCompletableFuture();
        CompletableFuture<Snapshot> snapshot = redis.hscan(index, ScanArgs.Builder.limit(cap)).toCompletableFuture()
                .thenCompose((MapScanCursor<String, String> page) -> {
                    List<String> ids = new ArrayList<>(page.getMap().keySet());
                    if (ids.size() > cap) {
                        ids = ids.subList(0, cap);
                    }
                    List<RedisFuture<String>> users = new ArrayList<>();
                    for (String id : ids) {
                        users.add(redis.hget(keys.connection(id), "userId"));
                    }
                    List<String> found = ids;
                    return CompletableFuture.allOf(users.stream().map(RedisFuture::toCompletableFuture)
                                    .toArray(CompletableFuture[]::new))
                            .thenCombine(count, (ignored, total) -> {
                                List<Member> members = new ArrayList<>();
                                for (int i = 0; i < found.size(); i++) {
                                    String user = users.get(i).toCompletableFuture().join();
                                    members.add(new Member(found.get(i), user == null || user.isEmpty() ? null : user));
                                }
                                return new Snapshot(total, members);
                            });
                });
        return Callbacks.on(callbacks, snapshot);
    }
}
