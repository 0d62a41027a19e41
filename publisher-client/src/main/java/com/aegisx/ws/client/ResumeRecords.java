package com.aegisx.ws.client;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.Collection;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * The record a resume reads: {@code <prefix>:resume:{connectionId}}, a hash of the channels a
 * connection had ({@code channels}, a JSON array), those of them a backend granted it
 * ({@code granted}, the same) and its {@code userId}, kept for the resume
 * token's lifetime. Written by the node when a socket closes or drains, and by whoever sweeps a
 * dead node (a node killed with -9 never closed its sockets): so a client of a crashed node can
 * still resume after the sweep removed its connection's own records.
 *
 * <p>One script on one key (hash and TTL in one step, one slot on a Redis Cluster).
 */
public final class ResumeRecords {

    /** How long a resume token works after its connection closed, unless the node says otherwise (RESUME_TOKEN_TTL). */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    private static final RedisScript KEEP = new RedisScript(
            "redis.call('HSET', KEYS[1], 'channels', ARGV[1], 'userId', ARGV[2], 'granted', ARGV[4]) "
                    + "redis.call('PEXPIRE', KEYS[1], ARGV[3]) return 1");

    private ResumeRecords() {
    }

    /**
     * Keeps {@code channels} of a connection for {@code ttl}; nothing is written for no channels.
     * None of them is recorded as a backend's grant: a resume checks the channel rules for all.
     */
    public static CompletableFuture<Void> keep(RedisClusterAsyncCommands<String, String> redis, KeySchema keys,
                                               String connectionId, String userId, Collection<String> channels,
                                               Duration ttl) {
        return keep(redis, keys, connectionId, userId, channels, java.util.Set.of(), ttl);
    }

    /**
     * The same, {@code granted} (field {@code granted}, a JSON array) being those of the channels a
     * backend subscribed the connection to, past the channel rules: a resume restores them as they
     * were, and checks the others against the rules again (the user's roles may have changed).
     */
    public static CompletableFuture<Void> keep(RedisClusterAsyncCommands<String, String> redis, KeySchema keys,
                                               String connectionId, String userId, Collection<String> channels,
                                               Collection<String> granted, Duration ttl) {
        if (channels.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return KEEP.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {keys.resume(connectionId)},
                        jsonArray(channels), userId == null ? "" : userId, Long.toString(Math.max(1, ttl.toMillis())),
                        jsonArray(granted.stream().filter(channels::contains).toList()))
                .thenApply(ignored -> null);
    }

    private static String jsonArray(Collection<String> values) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        new TreeSet<>(values).forEach(list::add);
        return Json.write(list);
    }
}
