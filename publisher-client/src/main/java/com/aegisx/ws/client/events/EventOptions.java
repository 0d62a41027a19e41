package com.aegisx.ws.client.events;

import com.aegisx.ws.protocol.KeySchema;
import java.time.Duration;
import java.util.Objects;

/**
 * How the index scripts write lifecycle events: whether at all, the stream's approximate length cap
 * (split evenly over the {@value KeySchema#EVENT_SHARDS} shards), the grace period after a user's last
 * socket before {@code user_offline}, and who writes ({@code by}: a node id, a sweeper).
 */
public record EventOptions(boolean enabled, long maxLength, Duration grace, String by) {

    public static final long DEFAULT_MAX_LENGTH = 100_000;
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    public EventOptions {
        Objects.requireNonNull(grace, "grace");
        Objects.requireNonNull(by, "by");
        if (maxLength < 1) {
            throw new IllegalArgumentException("maxLength must be positive");
        }
    }

    /** No events: the scripts still keep the indexes (and the online user sets). */
    public static EventOptions off(String by) {
        return new EventOptions(false, DEFAULT_MAX_LENGTH, DEFAULT_GRACE, by);
    }

    /** The MAXLEN ~ of one shard's stream. */
    public long shardCap() {
        return Math.max(1, (maxLength + KeySchema.EVENT_SHARDS - 1) / KeySchema.EVENT_SHARDS);
    }

    /** The same options, written by someone else (a sweeper reporting for a dead node). */
    public EventOptions writtenBy(String writer) {
        return new EventOptions(enabled, maxLength, grace, writer);
    }
}
