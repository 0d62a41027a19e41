package com.aegisx.ws.client.history;

import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The history of channels in Redis: publish through it (append + publish, one script in the
 * channel's slot) and read a channel's position and the messages after a client's position.
 * The scripts are {@code history-publish.lua} and {@code history-read.lua} beside this class;
 * the README shows how to run the first from redis-cli.
 */
public final class History {

    /** Most messages one recovery replays; a client further behind gets {@code recovered:false}. */
    public static final int DEFAULT_MAX_RECOVERY = 1000;

    private static final RedisScript PUBLISH = new RedisScript(resource("history-publish.lua"));
    private static final RedisScript READ = new RedisScript(resource("history-read.lua"));

    /** What a history publish returned. */
    public record Published(long offset, String epoch, long receivers) {
    }

    /** One stored message: the text clients get (without channel/timestamp if the publisher left them out). */
    public record Entry(String text, String excludeConnection) {
    }

    /**
     * A channel's position ({@code top}: its last offset in {@code epoch}) and, when
     * {@code recovered}, every message after the asked position, oldest first.
     */
    public record Read(String epoch, long top, boolean recovered, List<Entry> entries) {
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final HistoryRules rules;
    private final String publishCommand;

    /**
     * {@code sharded}: publish with SPUBLISH (Redis Cluster), else PUBLISH. A cluster connection
     * works as it is: both keys and the pub/sub channel carry the hash tag {channel}, one slot.
     */
    public History(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, HistoryRules rules, boolean sharded) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.publishCommand = sharded ? "SPUBLISH" : "PUBLISH";
    }

    public HistoryRules rules() {
        return rules;
    }

    /** Appends and publishes; fails when the channel has no history rule. {@code message}: JSON object text. */
    public CompletableFuture<Published> publish(String channel, String message, String excludeConnection) {
        HistoryRule rule = rules.forChannel(channel).orElseThrow(
                () -> new IllegalArgumentException("channel '" + channel + "' has no history rule"));
        return PUBLISH.<List<Object>>run(redis, ScriptOutputType.MULTI, historyKeys(channel),
                        keys.channelTopic(channel), message, Integer.toString(rule.size()),
                        Long.toString(rule.ttl().toMillis()), excludeConnection == null ? "" : excludeConnection,
                        publishCommand)
                .thenApply(reply -> new Published(asLong(reply.get(0)), asString(reply.get(1)), asLong(reply.get(2))));
    }

    /**
     * The channel's position, and the messages after {@code sinceOffset} when {@code sinceEpoch}
     * is its epoch and its history still holds all of them (at most {@code maxCount}).
     * {@code sinceEpoch} null: the position only. Creates the epoch when the channel has none.
     */
    public CompletableFuture<Read> read(String channel, long sinceOffset, String sinceEpoch, int maxCount) {
        long ttl = rules.forChannel(channel).map(rule -> rule.ttl().toMillis()).orElse(0L);
        return READ.<List<Object>>run(redis, ScriptOutputType.MULTI, historyKeys(channel),
                        sinceEpoch == null ? "" : Long.toString(sinceOffset), sinceEpoch == null ? "" : sinceEpoch,
                        Integer.toString(maxCount), Long.toString(ttl))
                .thenApply(History::toRead);
    }

    private String[] historyKeys(String channel) {
        return new String[] {keys.history(channel), keys.historyMeta(channel)};
    }

    private static Read toRead(List<Object> reply) {
        List<Entry> entries = new ArrayList<>((reply.size() - 3) / 2);
        for (int i = 3; i + 1 < reply.size(); i += 2) {
            String exclude = asString(reply.get(i + 1));
            entries.add(new Entry(asString(reply.get(i)), exclude.isEmpty() ? null : exclude));
        }
        return new Read(asString(reply.get(0)), asLong(reply.get(1)), asLong(reply.get(2)) == 1, entries);
    }

    private static long asLong(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value));
    }

    private static String asString(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return String.valueOf(value);
    }

    /** The text of a script beside this class (the README points redis-cli users at the same file). */
    public static String resource(String name) {
        try (InputStream in = History.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
