package com.aegisx.ws.server.admin;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.NodeDeadlines;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.CloseReasons;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.Timestamps;
import com.aegisx.ws.server.http.AdminAuthenticator;
import com.aegisx.ws.server.http.JsonHttp;
import com.aegisx.ws.server.auth.LogSafe;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console's JSON, read from the cluster-wide Redis state (any node answers for all; no
 * node asks another), and its two actions. Admin JWT or ADMIN_API_KEY only, as the debug endpoints:
 * <ul>
 *   <li>{@code GET /api/v1/admin/nodes}: registered nodes with heartbeat age and connection count;</li>
 *   <li>{@code GET /api/v1/admin/rates}: cluster-wide messages per second over the last minutes
 *       ({@link NodeStats}, {@link RateSeries});</li>
 *   <li>{@code POST /api/v1/admin/disconnect} {@code {"connectionId"|"userId", "code"?, "reason"?}};</li>
 *   <li>{@code POST /api/v1/admin/broadcast} {@code {"channel", "message": {...}}}.</li>
 * </ul>
 * Channels and user lookups are the debug endpoints' ({@code /api/v1/debug/websocket/...}).
 */
public final class AdminServlet extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(AdminServlet.class);
    public static final String PATH = "/api/v1/admin/*";
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long TIMEOUT_MS = 10_000;

    private final AdminAuthenticator admins;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final AsyncWsPublisher publisher;
    private final Duration heartbeatTimeout;
    private final Duration statsInterval;

    public AdminServlet(AdminAuthenticator admins, RedisClusterAsyncCommands<String, String> redis, KeySchema keys,
                        AsyncWsPublisher publisher, Duration heartbeatTimeout, Duration statsInterval) {
        this.admins = admins;
        this.redis = redis;
        this.keys = keys;
        this.publisher = publisher;
        this.heartbeatTimeout = heartbeatTimeout;
        this.statsInterval = statsInterval;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admins.admit(request, response)) {
            return;
        }
        String what = request.getPathInfo() == null ? "" : request.getPathInfo();
        try {
            switch (what) {
                case "/nodes" -> JsonHttp.reply(response, HttpServletResponse.SC_OK, nodes());
                case "/rates" -> JsonHttp.reply(response, HttpServletResponse.SC_OK, rates());
                default -> JsonHttp.reply(response, HttpServletResponse.SC_NOT_FOUND, JsonHttp.problem("not_found", "unknown admin resource"));
            }
        } catch (Exception e) {
            log.warn("Admin query {} failed: {}", what, e.toString());
            JsonHttp.reply(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, JsonHttp.problem("unavailable", "Redis query failed"));
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!admins.admit(request, response)) {
            return;
        }
        String what = request.getPathInfo() == null ? "" : request.getPathInfo();
        ObjectNode body = JsonHttp.readObject(request, response, MAX_BODY_BYTES);
        if (body == null) {
            return;
        }
        try {
            switch (what) {
                case "/disconnect" -> JsonHttp.reply(response, HttpServletResponse.SC_OK, disconnect(body));
                case "/broadcast" -> JsonHttp.reply(response, HttpServletResponse.SC_OK, broadcast(body));
                default -> JsonHttp.reply(response, HttpServletResponse.SC_NOT_FOUND, JsonHttp.problem("not_found", "unknown admin action"));
            }
        } catch (IllegalArgumentException e) {
            JsonHttp.reply(response, HttpServletResponse.SC_BAD_REQUEST, JsonHttp.problem("bad_request", e.getMessage()));
        } catch (Exception e) {
            log.warn("Admin action {} failed: {}", what, e.toString());
            JsonHttp.reply(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, JsonHttp.problem("unavailable", "Redis command failed"));
        }
    }

    private ObjectNode nodes() throws Exception {
        // Deadlines are Redis' time (NodeDeadlines): alive and age by that clock, not this host's.
        long now = await(NodeDeadlines.now(redis, keys));
        List<ScoredValue<String>> registered = await(redis.zrangeWithScores(keys.nodes(), 0, -1).toCompletableFuture());
        Map<String, RedisFuture<Map<String, String>>> hashes = new LinkedHashMap<>();
        Map<String, RedisFuture<Long>> counts = new LinkedHashMap<>();
        for (ScoredValue<String> node : registered) {
            hashes.put(node.getValue(), redis.hgetall(keys.node(node.getValue())));
            counts.put(node.getValue(), redis.scard(keys.nodeConnections(node.getValue())));
        }
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("nodes");
        long total = 0;
        for (ScoredValue<String> node : registered) {
            String id = node.getValue();
            long deadline = (long) node.getScore();
            Map<String, String> hash = hashes.get(id).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            long connections = counts.get(id).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            boolean alive = deadline > now;
            ObjectNode n = list.addObject();
            n.put("nodeId", id);
            n.put("alive", alive);
            // The deadline is the last heartbeat plus the timeout (the same setting on every node).
            n.put("heartbeatAgeMs", Math.max(0, now - (deadline - heartbeatTimeout.toMillis())));
            n.put("connections", connections);
            n.put("host", hash.get("host"));
            n.put("port", hash.get("port"));
            n.put("version", hash.get("version"));
            n.put("startedAt", hash.get("startedAt"));
            if (alive) {
                total += connections;
            }
        }
        out.put("totalConnections", total);
        out.put("serverTime", Timestamps.now());
        return out;
    }

    private ObjectNode rates() throws Exception {
        List<String> nodes = await(redis.zrange(keys.nodes(), 0, -1).toCompletableFuture());
        List<RedisFuture<List<String>>> lists = new ArrayList<>();
        for (String node : nodes) {
            lists.add(redis.lrange(keys.nodeStats(node), 0, -1));
        }
        List<List<NodeStats.Sample>> samples = new ArrayList<>();
        for (RedisFuture<List<String>> entries : lists) {
            samples.add(NodeStats.parse(entries.get(TIMEOUT_MS, TimeUnit.MILLISECONDS)));
        }
        ObjectNode out = Json.object();
        out.put("intervalMs", statsInterval.toMillis());
        ArrayNode points = out.putArray("points");
        for (RateSeries.Point point : RateSeries.of(samples, statsInterval.toMillis())) {
            points.addObject()
                    .put("at", Timestamps.formatMillis(point.at()))
                    .put("messagesOut", round(point.messagesOut()))
                    .put("messagesIn", round(point.messagesIn()))
                    .put("pubsubReceived", round(point.pubSubReceived()));
        }
        return out;
    }

    private ObjectNode disconnect(ObjectNode body) throws Exception {
        int code = body.path("code").asInt(CloseCodes.DISCONNECTED_BY_SERVER);
        if (code != 1000 && (code < 4000 || code > 4999)) {
            throw new IllegalArgumentException("code must be 1000 or 4000-4999");
        }
        String reason = JsonHttp.text(body, "reason");
        if (reason == null) {
            reason = "disconnected by an administrator";
        } else if (!CloseReasons.fits(reason)) {
            // Refused rather than cut: the operator typed it and sees the 400 at once.
            throw new IllegalArgumentException("reason must be at most " + CloseReasons.MAX_BYTES
                    + " bytes of UTF-8 (a WebSocket close reason's limit)");
        }
        String connectionId = JsonHttp.text(body, "connectionId");
        String userId = JsonHttp.text(body, "userId");
        ObjectNode out = Json.object();
        if (connectionId != null) {
            if (Identifiers.nodeOf(connectionId) == null) {
                throw new IllegalArgumentException("not a connection id");
            }
            boolean done = await(publisher.disconnectConnection(connectionId, code, reason));
            // Values the caller chose pass LogSafe, as everything from outside the node: no forged lines
            // (Identifiers.nodeOf checks the node part of an id, not the rest).
            log.info("Admin disconnect connectionId={} code={}: {}", LogSafe.text(connectionId), code,
                    done ? "sent" : "not found");
            out.put("disconnected", done ? 1 : 0);
        } else if (userId != null) {
            if (!Identifiers.isValidUserId(userId)) {
                throw new IllegalArgumentException("invalid userId");
            }
            int count = await(publisher.disconnectUser(userId, code, reason));
            log.info("Admin disconnect userId={} code={}: {} connections", LogSafe.text(userId), code, count);
            out.put("disconnected", count);
        } else {
            throw new IllegalArgumentException("connectionId or userId is required");
        }
        return out;
    }

    private ObjectNode broadcast(ObjectNode body) throws Exception {
        String channel = JsonHttp.text(body, "channel");
        String problem = channel == null ? "channel is required" : ChannelNames.problem(channel, ChannelNames.DEFAULT_MAX_LENGTH);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        JsonNode message = body.get("message");
        if (message == null || !message.isObject() || !message.path("type").isTextual()) {
            throw new IllegalArgumentException("message must be a JSON object with a string type");
        }
        long nodes = await(publisher.broadcast(channel, message));
        log.info("Admin broadcast channel={} type={} nodes={}", channel, LogSafe.text(message.path("type").asText()),
                nodes);
        return Json.object().put("nodes", nodes);
    }


    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }


    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }


}
