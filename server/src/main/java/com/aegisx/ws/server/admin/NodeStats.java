package com.aegisx.ws.server.admin;

import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * Samples this node's cumulative message counters into a short Redis list every STATS_INTERVAL,
 * so the admin console can draw message rates of the whole cluster over the last minutes from
 * Redis alone (any node answers, no node asks another). One RPUSH + LTRIM + PEXPIRE per interval:
 * nothing on the message path.
 *
 * <p>An entry is {@code <epochMillis> <messagesOut> <messagesIn> <pubsubReceived>}; the list keeps
 * the last {@value #SAMPLES} and expires when the node stops writing it.
 */
public final class NodeStats {

    public static final int SAMPLES = 60;

    /** One sample of one node. */
    public record Sample(long at, long messagesOut, long messagesIn, long pubSubReceived) {

        static Sample parse(String entry) {
            String[] parts = entry.split(" ");
            if (parts.length != 4) {
                return null;
            }
            try {
                return new Sample(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                        Long.parseLong(parts[3]));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        String encode() {
            return at + " " + messagesOut + " " + messagesIn + " " + pubSubReceived;
        }
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String key;
    private final Duration interval;
    private final LongSupplier messagesOut;
    private final LongSupplier messagesIn;
    private final LongSupplier pubSubReceived;

    public NodeStats(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, String nodeId, Duration interval,
                     LongSupplier messagesOut, LongSupplier messagesIn, LongSupplier pubSubReceived) {
        this.redis = redis;
        this.key = keys.nodeStats(nodeId);
        this.interval = interval;
        this.messagesOut = messagesOut;
        this.messagesIn = messagesIn;
        this.pubSubReceived = pubSubReceived;
    }

    /** Writes one sample; failures (Redis away) are dropped: the next interval writes again. */
    public CompletableFuture<Void> sample() {
        Sample sample = new Sample(System.currentTimeMillis(), messagesOut.getAsLong(), messagesIn.getAsLong(),
                pubSubReceived.getAsLong());
        redis.rpush(key, sample.encode());
        redis.ltrim(key, -SAMPLES, -1);
        return redis.pexpire(key, interval.multipliedBy(SAMPLES + 2).toMillis())
                .toCompletableFuture().handle((ignored, error) -> null);
    }

    /** Parses a node's list, oldest first, skipping entries that do not parse. */
    public static List<Sample> parse(List<String> entries) {
        List<Sample> samples = new ArrayList<>(entries.size());
        for (String entry : entries) {
            Sample sample = Sample.parse(entry);
            if (sample != null) {
                samples.add(sample);
            }
        }
        return samples;
    }
}
