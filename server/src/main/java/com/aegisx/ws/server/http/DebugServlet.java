package com.aegisx.ws.server.http;

import com.aegisx.ws.client.ClusterView;
import com.aegisx.ws.client.ConnectionInfo;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.redis.KeyScan;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec's operator endpoints, cluster-wide (read from Redis, so any node answers for all):
 * <ul>
 *   <li>{@code GET /api/v1/debug/websocket/connections?limit=&cursor=} and, instead of paging,
 *       {@code ?userId=} or {@code ?channel=} for one index;</li>
 *   <li>{@code GET /api/v1/debug/websocket/channels?limit=&cursor=}: channels with their member count.</li>
 * </ul>
 * Paging follows Redis SCAN (on a cluster every master in turn, see {@link KeyScan}): pass back
 * {@code nextCursor} until it is null. A page holds about
 * {@code limit} entries (it can hold a few more, never skips any). Only for an admin, see
 * {@link AdminAuthenticator}: 401 without valid credentials, 403 for a non-admin token.
 */
public final class DebugServlet extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(DebugServlet.class);
    public static final String PATH = "/api/v1/debug/websocket/*";
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;
    private static final long TIMEOUT_MS = 10_000;

    private final AdminAuthenticator admins;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final ClusterView view;
    private final KeyScan scan;

    public DebugServlet(AdminAuthenticator admins, RedisClusterAsyncCommands<String, String> redis, KeySchema keys) {
        this.admins = admins;
        this.redis = redis;
        this.keys = keys;
        this.view = new ClusterView(redis, keys);
        this.scan = new KeyScan(redis, TIMEOUT_MS);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setHeader("Cache-Control", "no-store");
        AdminAuthenticator.Verdict verdict = admins.check(request.getHeader("Authorization"),
                request.getHeader(AdminAuthenticator.API_KEY_HEADER));
        if (verdict == AdminAuthenticator.Verdict.UNAUTHENTICATED) {
            response.setHeader("WWW-Authenticate", "Bearer");
            reply(response, HttpServletResponse.SC_UNAUTHORIZED, problem("unauthorized",
                    "an admin token (Authorization: Bearer) or X-Api-Key is required"));
            return;
        }
        if (verdict == AdminAuthenticator.Verdict.FORBIDDEN) {
            reply(response, HttpServletResponse.SC_FORBIDDEN, problem("forbidden", "the admin role is required"));
            return;
        }
        String what = request.getPathInfo() == null ? "" : request.getPathInfo();
        try {
            switch (what) {
                case "/connections" -> connections(request, response);
                case "/channels" -> channels(request, response);
                default -> reply(response, HttpServletResponse.SC_NOT_FOUND, problem("not_found", "unknown debug resource"));
            }
        } catch (IllegalArgumentException e) {
            reply(response, HttpServletResponse.SC_BAD_REQUEST, problem("bad_request", e.getMessage()));
        } catch (Exception e) {
            log.warn("Debug query {} failed: {}", what, e.toString());
            reply(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, problem("unavailable", "Redis query failed"));
        }
    }

    private void connections(HttpServletRequest request, HttpServletResponse response) throws Exception {
        String userId = request.getParameter("userId");
        String channel = request.getParameter("channel");
        ObjectNode out = Json.object();
        List<ConnectionInfo> found;
        if (userId != null || channel != null) {
            String index;
            if (userId != null) {
                if (!Identifiers.isValidUserId(userId)) {
                    throw new IllegalArgumentException("invalid userId");
                }
                index = keys.userConnections(userId);
            } else {
                String problem = ChannelNames.problem(channel, ChannelNames.DEFAULT_MAX_LENGTH);
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
                index = keys.channelMembers(channel);
            }
            found = await(view.connectionsInIndex(index));
            out.putNull("nextCursor");
        } else {
            // The pattern also matches the connections' channel sets: keep the hashes only.
            KeyScan.Page page = scan.scan(keys.connectionPattern(), key -> keys.connectionIdOf(key) != null, cursor(request),
                    limit(request));
            List<String> ids = new ArrayList<>();
            for (String key : page.keys()) {
                ids.add(keys.connectionIdOf(key));
            }
            Set<String> live = await(view.liveNodes());
            found = new ArrayList<>();
            for (ConnectionInfo info : await(view.load(ids))) {
                if (live.contains(info.nodeId())) {
                    found.add(info);
                }
            }
            putCursor(out, page.next());
        }
        ArrayNode list = out.putArray("connections");
        for (ConnectionInfo info : found) {
            ObjectNode c = list.addObject();
            c.put("id", info.id());
            c.put("userId", info.userId());
            c.put("nodeId", info.nodeId());
            ArrayNode chans = c.putArray("channels");
            new TreeSet<>(info.channels()).forEach(chans::add);
            c.put("lastActivity", info.lastActivity());
            ObjectNode meta = c.putObject("metadata");
            meta.put("userAgent", info.metadata().userAgent());
            meta.put("ip", info.metadata().ip());
            meta.put("connectedAt", info.metadata().connectedAt());
        }
        out.put("count", found.size());
        out.put("totalConnections", await(view.activeConnections()));
        reply(response, HttpServletResponse.SC_OK, out);
    }

    private void channels(HttpServletRequest request, HttpServletResponse response) throws Exception {
        KeyScan.Page page = scan.scan(keys.channelMembers("*"), key -> key.endsWith("}"), cursor(request), limit(request));
        List<String> names = new ArrayList<>();
        List<RedisFuture<Long>> sizes = new ArrayList<>();
        for (String key : page.keys()) {
            names.add(key.substring(key.indexOf('{') + 1, key.length() - 1));
            sizes.add(redis.hlen(key));
        }
        ObjectNode out = Json.object();
        ArrayNode list = out.putArray("channels");
        for (int i = 0; i < names.size(); i++) {
            long members = sizes.get(i).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (members > 0) {
                list.addObject().put("channel", names.get(i)).put("connections", members);
            }
        }
        out.put("count", list.size());
        putCursor(out, page.next());
        reply(response, HttpServletResponse.SC_OK, out);
    }

    private static String cursor(HttpServletRequest request) {
        String cursor = request.getParameter("cursor");
        if (cursor == null || cursor.isEmpty()) {
            return "0";
        }
        if (!KeyScan.isValidCursor(cursor)) {
            throw new IllegalArgumentException("cursor must be a nextCursor value returned earlier");
        }
        return cursor;
    }

    private static int limit(HttpServletRequest request) {
        String limit = request.getParameter("limit");
        if (limit == null || limit.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= MAX_LIMIT) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT);
    }

    private static void putCursor(ObjectNode out, String next) {
        if (next == null) {
            out.putNull("nextCursor");
        } else {
            out.put("nextCursor", next);
        }
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private static ObjectNode problem(String code, String message) {
        return Json.object().put("error", code).put("message", message);
    }

    private static void reply(HttpServletResponse response, int status, ObjectNode body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.getOutputStream().write(Json.write(body).getBytes(StandardCharsets.UTF_8));
    }
}
