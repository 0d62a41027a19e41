package com.aegisx.ws.server.api;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.server.security.TokenBucket;
import com.aegisx.ws.server.http.JsonHttp;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /api/v1/publish}: publishing over HTTP for services that cannot reach Redis. Behind
 * {@code PUBLISH_API_KEY} ({@code X-Api-Key}), rate-limited per node ({@code PUBLISH_API_RATE}
 * messages a second, the same in a burst; a batch counts each of its items), answered once Redis
 * took every message. Bodies:
 * <pre>
 * {"channel":"reports:system","message":{"type":...},"exclude":"ws_..."?}   broadcast
 * {"userId":"user-uuid","message":{...}}                                    every connection of a user
 * {"connectionId":"ws_...","message":{...}}                                  one connection
 * {"batch":[ up to 100 of the above ]}
 * </pre>
 * A single item answers {@code {"ok":true,"nodes":n}} ({@code "delivered":bool} for a connection);
 * a batch answers {@code {"results":[...]}} in order, each item ok or with its own error: one bad
 * item does not stop the others.
 */
public final class PublishServlet extends HttpServlet {

    private static final Logger log = LoggerFactory.getLogger(PublishServlet.class);
    public static final String PATH = "/api/v1/publish";
    public static final int MAX_BATCH = 100;
    static final int MAX_BODY_BYTES = 1_048_576;
    private static final long TIMEOUT_MS = 10_000;

    private final byte[] apiKey;
    private final AsyncWsPublisher publisher;
    private final TokenBucket bucket;

    /** @param apiKey PUBLISH_API_KEY; null answers 404 (the API is off) */
    public PublishServlet(String apiKey, AsyncWsPublisher publisher, int perSecond) {
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.publisher = publisher;
        this.bucket = new TokenBucket(perSecond, perSecond, System.nanoTime());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (apiKey == null) {
            JsonHttp.reply(response, HttpServletResponse.SC_NOT_FOUND, JsonHttp.problem("not_found", "the publish API is off (PUBLISH_API_KEY)"));
            return;
        }
        String key = request.getHeader("X-Api-Key");
        if (key == null || !MessageDigest.isEqual(apiKey, key.trim().getBytes(StandardCharsets.UTF_8))) {
            JsonHttp.reply(response, HttpServletResponse.SC_UNAUTHORIZED, JsonHttp.problem("unauthorized", "X-Api-Key is required"));
            return;
        }
        ObjectNode body = JsonHttp.readObject(request, response, MAX_BODY_BYTES);
        if (body == null) {
            return;
        }
        JsonNode batch = body.get("batch");
        List<JsonNode> items = new ArrayList<>();
        if (batch != null) {
            if (!batch.isArray() || batch.isEmpty() || batch.size() > MAX_BATCH) {
                JsonHttp.reply(response, HttpServletResponse.SC_BAD_REQUEST,
                        JsonHttp.problem("bad_request", "batch must be an array of 1 to " + MAX_BATCH + " items"));
                return;
            }
            batch.forEach(items::add);
        } else {
            items.add(body);
        }
        if (!admit(items.size())) {
            response.setHeader("Retry-After", "1");
            JsonHttp.reply(response, 429, JsonHttp.problem("rate_limited", "more than the publish rate of this node; retry later"));
            return;
        }
        List<CompletableFuture<ObjectNode>> results = new ArrayList<>();
        for (JsonNode item : items) {
            results.add(publish(item));
        }
        try {
            if (batch == null) {
                ObjectNode result = results.get(0).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                JsonHttp.reply(response, result.path("ok").asBoolean() ? HttpServletResponse.SC_OK
                        : HttpServletResponse.SC_BAD_REQUEST, result);
                return;
            }
            // Per item: Redis may take some items of a batch and fail others (a refused script, a
            // connection lost in the middle). One 503 for all would hide which were published, and a
            // caller retrying the whole batch would deliver those twice.
            ObjectNode out = Json.object();
            ArrayNode list = out.putArray("results");
            for (CompletableFuture<ObjectNode> result : results) {
                list.add(itemResult(result));
            }
            JsonHttp.reply(response, HttpServletResponse.SC_OK, out);
        } catch (Exception e) {
            log.warn("Publish over HTTP failed: {}", e.toString());
            JsonHttp.reply(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, JsonHttp.problem("unavailable", "Redis did not take the message"));
        }
    }

    private boolean admit(int messages) {
        long now = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            if (!bucket.tryTake(now)) {
                return false;
            }
        }
        return true;
    }

    /** One item: a result object, {@code ok:false} with {@code error} when the item itself is wrong. */
    private CompletableFuture<ObjectNode> publish(JsonNode item) {
        if (!item.isObject()) {
            return done(invalid("an item must be a JSON object"));
        }
        JsonNode message = item.get("message");
        if (message == null || !message.isObject() || !message.path("type").isTextual()) {
            return done(invalid("message must be a JSON object with a string type"));
        }
        String channel = JsonHttp.text(item, "channel");
        String userId = JsonHttp.text(item, "userId");
        String connectionId = JsonHttp.text(item, "connectionId");
        int targets = (channel != null ? 1 : 0) + (userId != null ? 1 : 0) + (connectionId != null ? 1 : 0);
        if (targets != 1) {
            return done(invalid("exactly one of channel, userId, connectionId is required"));
        }
        try {
            if (channel != null) {
                String problem = ChannelNames.problem(channel, ChannelNames.DEFAULT_MAX_LENGTH);
                if (problem != null) {
                    return done(invalid(problem));
                }
                String exclude = JsonHttp.text(item, "exclude");
                return publisher.broadcast(channel, message, exclude).thenApply(nodes -> ok().put("nodes", nodes));
            }
            if (userId != null) {
                if (!Identifiers.isValidUserId(userId)) {
                    return done(invalid("invalid userId"));
                }
                return publisher.sendToUser(userId, message).thenApply(nodes -> ok().put("nodes", nodes));
            }
            if (Identifiers.nodeOf(connectionId) == null) {
                return done(invalid("not a connection id"));
            }
            return publisher.sendToConnection(connectionId, message).thenApply(delivered -> ok().put("delivered", delivered));
        } catch (IllegalArgumentException e) {
            log.debug("Refused publish item: {}", LogSafe.text(e.getMessage()));
            return done(invalid(e.getMessage()));
        }
    }

    /** A batch item's result; {@code ok:false} with {@code error:"unavailable"} when Redis did not take it. */
    private static ObjectNode itemResult(CompletableFuture<ObjectNode> result) throws InterruptedException {
        try {
            return result.get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Publish over HTTP failed for a batch item: {}", e.getCause() == null ? e.toString() : e.getCause().toString());
            return Json.object().put("ok", false).put("error", "unavailable").put("message", "Redis did not take the message");
        }
    }

    private static ObjectNode ok() {
        return Json.object().put("ok", true);
    }

    private static ObjectNode invalid(String message) {
        return Json.object().put("ok", false).put("error", "invalid").put("message", message);
    }

    private static CompletableFuture<ObjectNode> done(ObjectNode result) {
        return CompletableFuture.completedFuture(result);
    }




}
