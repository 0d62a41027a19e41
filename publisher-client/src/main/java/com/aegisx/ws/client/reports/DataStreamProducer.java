package com.aegisx.ws.client.reports;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.Futures;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Appends live data points of a report template: each point goes into the template's bounded
 * Redis Stream ({@code XADD MAXLEN ~}), so clients connecting later get it in {@code initial_data},
 * and is then broadcast as {@code data_update} on {@code reports:data:<templateId>}.
 *
 * <pre>{@code
 * producer.streams().append("sales-dashboard", Map.of("value", 105, "change", "+5%", "department", "sales"));
 * }</pre>
 *
 * A point is any JSON object; {@code timestamp} is added (now) when it has none. Thread-safe.
 */
public final class DataStreamProducer {

    /** Points kept per template (approximately: Redis trims whole macro nodes, so a few more may stay). */
    public static final int DEFAULT_MAX_POINTS = 1_000;
    /** A template stream nobody appends to for this long disappears. */
    public static final Duration DEFAULT_TTL = Duration.ofDays(7);
    public static final int MAX_MAX_POINTS = 1_000_000;

    private final ReportStore store;
    private final AsyncWsPublisher publisher;
    private final Duration timeout;
    private final int maxPoints;
    private final Duration ttl;

    public DataStreamProducer(ReportStore store, AsyncWsPublisher publisher, Duration timeout) {
        this(store, publisher, timeout, DEFAULT_MAX_POINTS, DEFAULT_TTL);
    }

    public DataStreamProducer(ReportStore store, AsyncWsPublisher publisher, Duration timeout, int maxPoints,
                              Duration ttl) {
        if (maxPoints < 1 || maxPoints > MAX_MAX_POINTS) {
            throw new IllegalArgumentException("maxPoints must be 1-" + MAX_MAX_POINTS + ", was " + maxPoints);
        }
        if (ttl == null || ttl.toMillis() < 1_000) {
            throw new IllegalArgumentException("ttl must be at least one second");
        }
        this.store = Objects.requireNonNull(store, "store");
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.maxPoints = maxPoints;
        this.ttl = ttl;
    }

    /** Stores and broadcasts one point; returns its stream entry id. */
    public String append(String templateId, Object point) {
        ReportIds.requireValid("templateId", templateId);
        ObjectNode body = Json.toObject(point);
        if (!body.has("timestamp")) {
            body.put("timestamp", Timestamps.now());
        }
        String id = Futures.await(store.appendPoint(templateId, Json.write(body), maxPoints, ttl), timeout);
        Futures.await(publisher.broadcast(ReportChannels.data(templateId),
                ReportMessages.dataUpdate(templateId, body, id)), timeout);
        return id;
    }

    /** The most recent points of a template, newest first. */
    public List<StoredPoint> recent(String templateId, int count) {
        ReportIds.requireValid("templateId", templateId);
        return Futures.await(store.recentPoints(templateId, count), timeout);
    }
}
