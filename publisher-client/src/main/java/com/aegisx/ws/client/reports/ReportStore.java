package com.aegisx.ws.client.reports;

import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.Timestamps;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Reads and writes the Redis side of reports: the state hash {@code <prefix>:report:{id}}, the
 * cancellation request inside it, and the template streams {@code <prefix>:report-data:{id}}.
 * Shared by the producers (publisher client) and the nodes, so the layout has one implementation.
 *
 * <p>Every state change is one Lua script: it refuses to touch an unknown (expired) report or one
 * already in a terminal state, increments {@code seq}, writes the fields and renews the TTL
 * atomically.
 */
public final class ReportStore {

    /** Field of a stream entry holding the point's JSON. */
    static final String POINT_FIELD = "point";

    /** Outcome codes of the scripts (negative values); non-negative values are results. */
    public static final long NOT_FOUND = -1;
    public static final long FINISHED = -2;

    private static final String UPDATE_SCRIPT = """
            -- KEYS[1] report hash; ARGV[1] ttl ms; ARGV[2] 'register' or 'update'; ARGV[3..] field, value pairs
            if ARGV[2] == 'register' then
              redis.call('DEL', KEYS[1])
            else
              local status = redis.call('HGET', KEYS[1], 'status')
              if not status then return {-1, '', 0} end
              if status == 'completed' or status == 'error' or status == 'cancelled' then return {-2, '', 0} end
            end
            local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
            redis.call('HSET', KEYS[1], unpack(ARGV, 3))
            redis.call('PEXPIRE', KEYS[1], ARGV[1])
            local owner = redis.call('HGET', KEYS[1], 'ownerId') or ''
            local progress = tonumber(redis.call('HGET', KEYS[1], 'progress') or '0')
            return {seq, owner, progress}
            """;

    private static final String CANCEL_SCRIPT = """
            -- KEYS[1] report hash; ARGV[1] requestedBy; ARGV[2] requestedAt
            local status = redis.call('HGET', KEYS[1], 'status')
            if not status then return -1 end
            if status == 'completed' or status == 'error' or status == 'cancelled' then return -2 end
            if redis.call('HSETNX', KEYS[1], 'cancelRequestedBy', ARGV[1]) == 1 then
              redis.call('HSET', KEYS[1], 'cancelRequestedAt', ARGV[2])
              return 1
            end
            return 0
            """;

    private static final RedisScript UPDATE = new RedisScript(UPDATE_SCRIPT);
    private static final RedisScript CANCEL = new RedisScript(CANCEL_SCRIPT);

    /** What an update script reported: the new {@code seq} (or a negative outcome), the owner and progress. */
    public record Update(long seq, String ownerId, int progress) {
        public boolean applied() {
            return seq > 0;
        }
    }

    /** What a cancel request did: {@code recorded} false when a request was already recorded. */
    public record CancelOutcome(long code, boolean recorded, long producersNotified, CancelRequest request) {
        public boolean accepted() {
            return code >= 0;
        }
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final PublishMode publishMode;

    public ReportStore(RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this(redis, keys, PublishMode.CLASSIC);
    }

    /** {@code publishMode}: how cancellation requests are announced (SPUBLISH on a Redis Cluster). */
    public ReportStore(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, PublishMode publishMode) {
        this.redis = Objects.requireNonNull(redis, "redis");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.publishMode = Objects.requireNonNull(publishMode, "publishMode");
    }

    public KeySchema keys() {
        return keys;
    }

    /** Replaces any earlier state of the report with {@code fields}. */
    public CompletableFuture<Update> register(String reportId, Map<String, String> fields, Duration ttl) {
        return run(reportId, "register", fields, ttl);
    }

    /** Writes {@code fields} into a known, non-terminal report. */
    public CompletableFuture<Update> update(String reportId, Map<String, String> fields, Duration ttl) {
        return run(reportId, "update", fields, ttl);
    }

    private CompletableFuture<Update> run(String reportId, String mode, Map<String, String> fields, Duration ttl) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(ttl.toMillis()));
        args.add(mode);
        fields.forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        return UPDATE.<List<Object>>run(redis, ScriptOutputType.MULTI, new String[] {keys.report(reportId)},
                        args.toArray(String[]::new))
                .thenApply(result -> {
                    long seq = (Long) result.get(0);
                    String owner = (String) result.get(1);
                    long progress = (Long) result.get(2);
                    return new Update(seq, owner.isEmpty() ? null : owner, (int) progress);
                });
    }

    /** The stored state, or null when the report is unknown or expired. */
    public CompletableFuture<ReportState> read(String reportId) {
        return redis.hgetall(keys.report(reportId)).toCompletableFuture().thenApply(ReportState::fromHash);
    }

    /** The recorded cancellation request, or null when there is none (or the report is unknown). */
    public CompletableFuture<CancelRequest> cancelRequest(String reportId) {
        return redis.hmget(keys.report(reportId), ReportState.F_CANCEL_BY, ReportState.F_CANCEL_AT)
                .toCompletableFuture()
                .thenApply(values -> {
                    String by = values.get(0).getValueOrElse(null);
                    return by == null || by.isEmpty() ? null
                            : new CancelRequest(reportId, by, values.get(1).getValueOrElse(null));
                });
    }

    /**
     * Records a cancellation request durably in the report's state (the first requester wins) and
     * announces it on the report's cancel topic. A producer that was disconnected finds the
     * recorded request when it (re)subscribes or polls.
     */
    public CompletableFuture<CancelOutcome> requestCancel(String reportId, String requestedBy) {
        CancelRequest request = new CancelRequest(reportId, requestedBy, Timestamps.now());
        return CANCEL.<Long>run(redis, ScriptOutputType.INTEGER, new String[] {keys.report(reportId)},
                        requestedBy, request.requestedAt())
                .thenCompose(code -> {
                    if (code < 0) {
                        return CompletableFuture.completedFuture(new CancelOutcome(code, false, 0, request));
                    }
                    return publishMode.publish(redis, keys.reportCancelTopic(reportId), request.encode())
                            .thenApply(receivers -> new CancelOutcome(code, code == 1, receivers, request));
                });
    }

    /** Appends a point to the template's stream, keeping about {@code maxPoints}, and renews its TTL. */
    public CompletableFuture<String> appendPoint(String templateId, String pointJson, int maxPoints, Duration ttl) {
        String key = keys.reportData(templateId);
        CompletableFuture<String> added = redis.xadd(key,
                io.lettuce.core.XAddArgs.Builder.maxlen(maxPoints).approximateTrimming(),
                Map.of(POINT_FIELD, pointJson)).toCompletableFuture();
        CompletableFuture<Boolean> expiry = redis.pexpire(key, ttl.toMillis()).toCompletableFuture();
        return added.thenCombine(expiry, (id, ignored) -> id);
    }

    /** Up to {@code count} most recent points of a template, newest first. */
    public CompletableFuture<List<StoredPoint>> recentPoints(String templateId, int count) {
        return redis.xrevrange(keys.reportData(templateId), Range.create("-", "+"),
                        io.lettuce.core.Limit.from(count))
                .toCompletableFuture()
                .thenApply(entries -> {
                    List<StoredPoint> out = new ArrayList<>(entries.size());
                    for (StreamMessage<String, String> entry : entries) {
                        String json = entry.getBody().get(POINT_FIELD);
                        if (json == null) {
                            continue;
                        }
                        try {
                            out.add(new StoredPoint(entry.getId(), Json.parseObject(json)));
                        } catch (IllegalArgumentException e) {
                            // Someone wrote a non-JSON entry with redis-cli: skip it rather than fail the snapshot.
                        }
                    }
                    return out;
                });
    }
}
