package com.aegisx.ws.client.events;

import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Writes the lifecycle events to the bounded stream {@code <prefix>:events} (XADD MAXLEN ~), once
 * per event:
 * <ul>
 *   <li>{@code connected}, {@code subscribed}, {@code unsubscribed}: by the node that made the index change;</li>
 *   <li>{@code disconnected} (code, reason, channels): by whoever removed the connection's hash (its
 *       DEL returned 1): the node closing the socket, or the one sweeping a dead node, never both;</li>
 *   <li>{@code user_online}: when the user's first socket anywhere is registered, decided by a script
 *       on the user's own keys (one slot), so two first sockets at once give one event;</li>
 *   <li>{@code user_offline}: the grace period after the last socket left, if none came back
 *       meanwhile (a quick reconnect gives neither offline nor online).</li>
 * </ul>
 * The XADD follows the index change as a separate command: a writer that dies between the two loses
 * that event (the window is one round trip). Consumers read at least once (consumer groups, see
 * {@link LifecycleEventConsumer}).
 */
public final class LifecycleEvents {

    public static final long DEFAULT_MAX_LENGTH = 100_000;
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    /** KEYS: user index, presence. ARGV: connectionId. 1 when this socket brought the user online. */
    private static final RedisScript ONLINE = new RedisScript(
            "if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end "
                    + "local was = redis.call('GET', KEYS[2]) "
                    + "redis.call('SET', KEYS[2], 'on') "
                    + "if was then return 0 end return 1");
    /** KEYS: user index, presence. ARGV: grace ms. 1 when the user's last socket is gone (check later). */
    private static final RedisScript LEFT = new RedisScript(
            "if redis.call('HLEN', KEYS[1]) > 0 then return 0 end "
                    + "if redis.call('GET', KEYS[2]) ~= 'on' then return 0 end "
                    + "local t = redis.call('TIME') "
                    + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
                    + "redis.call('SET', KEYS[2], 'left:' .. now, 'PX', tonumber(ARGV[1]) * 20 + 60000) "
                    + "return 1");
    /** KEYS: user index, presence. ARGV: grace ms. 1 when the user is now offline (write the event). */
    private static final RedisScript OFFLINE = new RedisScript(
            "local was = redis.call('GET', KEYS[2]) "
                    + "if not was or string.sub(was, 1, 5) ~= 'left:' then return 0 end "
                    + "if redis.call('HLEN', KEYS[1]) > 0 then return 0 end "
                    + "local t = redis.call('TIME') "
                    + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "
                    + "if now - tonumber(string.sub(was, 6)) < tonumber(ARGV[1]) then return -1 end "
                    + "redis.call('DEL', KEYS[2]) return 1");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final long maxLength;
    private final Duration grace;
    private final String source;

    /**
     * @param source who writes (a node id, or "publisher-..."): recorded in each event as {@code by}
     */
    public LifecycleEvents(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, long maxLength, Duration grace,
                           String source) {
        this.redis = redis;
        this.keys = keys;
        this.maxLength = maxLength;
        this.grace = grace;
        this.source = source;
    }

    public Duration grace() {
        return grace;
    }

    /** After the connection was registered: connected, and user_online when it is the user's first socket. */
    public CompletableFuture<Void> connected(String connectionId, String nodeId, String userId) {
        CompletableFuture<?> added = append(LifecycleEvent.CONNECTED, connectionId, nodeId, userId, null, null, null);
        if (userId == null) {
            return added.thenApply(ignored -> null);
        }
        CompletableFuture<Long> online = ONLINE.run(redis, ScriptOutputType.INTEGER, userKeys(userId), connectionId);
        return online.thenCompose(first -> first == 1
                ? append(LifecycleEvent.USER_ONLINE, connectionId, nodeId, userId, null, null, null)
                : CompletableFuture.completedFuture(null))
                .thenCombine(added, (a, b) -> null);
    }

    public CompletableFuture<Void> subscribed(String connectionId, String nodeId, String userId, String channel) {
        return append(LifecycleEvent.SUBSCRIBED, connectionId, nodeId, userId, channel, null, null).thenApply(x -> null);
    }

    public CompletableFuture<Void> unsubscribed(String connectionId, String nodeId, String userId, String channel) {
        return append(LifecycleEvent.UNSUBSCRIBED, connectionId, nodeId, userId, channel, null, null).thenApply(x -> null);
    }

    /**
     * Call only when this caller's DEL of the connection's hash removed it (so once per connection),
     * after the user index no longer lists it. Schedules the offline check on {@code timer}.
     */
    public CompletableFuture<Void> disconnected(String connectionId, String nodeId, String userId, int code,
                                                String reason, Iterable<String> channels) {
        String channelList = channels == null ? "" : String.join(",", channels);
        CompletableFuture<?> written = append(LifecycleEvent.DISCONNECTED, connectionId, nodeId, userId,
                channelList.isEmpty() ? null : channelList, code, reason);
        if (userId == null) {
            return written.thenApply(ignored -> null);
        }
        CompletableFuture<Long> left = LEFT.run(redis, ScriptOutputType.INTEGER, userKeys(userId),
                Long.toString(grace.toMillis()));
        left.thenAccept(last -> {
            if (last == 1) {
                scheduleOfflineCheck(connectionId, nodeId, userId, 0);
            }
        });
        return written.thenCombine(left, (a, b) -> null);
    }

    private void scheduleOfflineCheck(String connectionId, String nodeId, String userId, int attempt) {
        Executor later = CompletableFuture.delayedExecutor(grace.toMillis() + 50L * (attempt + 1), TimeUnit.MILLISECONDS);
        CompletableFuture.runAsync(() -> OFFLINE.<Long>run(redis, ScriptOutputType.INTEGER, userKeys(userId),
                Long.toString(grace.toMillis())).thenAccept(result -> {
                    if (result == 1) {
                        append(LifecycleEvent.USER_OFFLINE, connectionId, nodeId, userId, null, null, null);
                    } else if (result == -1 && attempt < 3) {
                        scheduleOfflineCheck(connectionId, nodeId, userId, attempt + 1); // clocks: Redis' TIME decides
                    }
                }), later);
    }

    private String[] userKeys(String userId) {
        return new String[] {keys.userConnections(userId), keys.userPresence(userId)};
    }

    private CompletableFuture<String> append(String type, String connectionId, String nodeId, String userId,
                                             String channel, Integer code, String reason) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("type", type);
        fields.put("at", Long.toString(System.currentTimeMillis()));
        fields.put("connectionId", connectionId);
        fields.put("nodeId", nodeId == null ? "" : nodeId);
        if (userId != null) {
            fields.put("userId", userId);
        }
        if (channel != null) {
            fields.put(LifecycleEvent.DISCONNECTED.equals(type) ? "channels" : "channel", channel);
        }
        if (code != null) {
            fields.put("code", code.toString());
        }
        if (reason != null) {
            fields.put("reason", reason);
        }
        fields.put("by", source);
        return redis.xadd(keys.events(), XAddArgs.Builder.maxlen(maxLength).approximateTrimming(), fields)
                .toCompletableFuture();
    }
}
