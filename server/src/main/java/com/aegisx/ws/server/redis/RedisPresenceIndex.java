package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.ClusterView;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.core.PresenceIndex;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A channel's members from its index hash {@code ws:chan:{channel}} (connection id -&gt; node id),
 * counting only connections of live nodes (heartbeat deadline not passed in the {@code nodes}
 * zset): a dead node's sockets stay in the index until its sweep, but are gone for the room. Up to
 * {@code cap} of them are listed (which ones, when there are more, is the hash's order), with their
 * user ids from the connection hashes, pipelined. HGETALL: linear in the channel's size, meant for
 * the rooms PRESENCE_CHANNELS covers, not for broadcast channels with a crowd.
 */
public final class RedisPresenceIndex implements PresenceIndex {

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final ClusterView view;
    private final Executor callbacks;

    public RedisPresenceIndex(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, Executor callbacks) {
        this.redis = redis;
        this.keys = keys;
        this.view = new ClusterView(redis, keys);
        this.callbacks = callbacks;
    }

    /** The live members' count and the ids of the first {@code cap} of them. */
    private record Live(long count, List<String> listed) {
    }

    @Override
    public CompletableFuture<Snapshot> members(String channel, int cap) {
        CompletableFuture<Snapshot> snapshot = redis.hgetall(keys.channelMembers(channel)).toCompletableFuture()
                .thenCombine(view.liveNodes(), (Map<String, String> index, Set<String> live) -> {
                    List<String> ids = new ArrayList<>();
                    long count = 0;
                    for (Map.Entry<String, String> member : index.entrySet()) {
                        if (live.contains(member.getValue())) {
                            count++;
                            if (ids.size() < cap) {
                                ids.add(member.getKey());
                            }
                        }
                    }
                    return new Live(count, ids);
                })
                .thenCompose(found -> {
                    List<String> ids = found.listed();
                    List<RedisFuture<String>> users = new ArrayList<>();
                    for (String id : ids) {
                        users.add(redis.hget(keys.connection(id), "userId"));
                    }
                    return CompletableFuture.allOf(users.stream().map(RedisFuture::toCompletableFuture)
                                    .toArray(CompletableFuture[]::new))
                            .thenApply(ignored -> {
                                List<Member> members = new ArrayList<>();
                                for (int i = 0; i < ids.size(); i++) {
                                    String user = users.get(i).toCompletableFuture().join();
                                    members.add(new Member(ids.get(i), user == null || user.isEmpty() ? null : user));
                                }
                                return new Snapshot(found.count(), members);
                            });
                });
        return Callbacks.on(callbacks, snapshot);
    }
}
