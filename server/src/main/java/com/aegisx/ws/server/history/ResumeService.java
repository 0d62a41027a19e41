package com.aegisx.ws.server.history;

import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.security.ConnectionGuard;
import com.aegisx.ws.server.websocket.ConnectionHub;
import com.aegisx.ws.server.websocket.LocalConnection;
import com.aegisx.ws.server.websocket.Replies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resume on any node: {@code welcome} gives a token bound to the user; a client that reconnects
 * (to any node) sends {@code resume} with it and its positions, and gets back every channel its
 * old connection had (its own subscriptions and the ones the server made), with the missed
 * messages of history channels.
 *
 * <p>{@code <prefix>:resume:{token}} holds userId and connectionId from {@code welcome} on (TTL
 * {@value #OPEN_TTL_HOURS} h while the socket is open), and the connection's channels once it
 * closed (then TTL RESUME_TOKEN_TTL). After a crash nothing wrote the channels; they are read from
 * the dead connection's own set, which lasts until the node is swept (NODE_HEARTBEAT_TIMEOUT).
 * A token is used once: the resume takes and deletes it in one step.
 */
public final class ResumeService {

    private static final Logger log = LoggerFactory.getLogger(ResumeService.class);
    static final long OPEN_TTL_HOURS = 24;
    private static final String TOKEN_ATTRIBUTE = "resumeToken";
    private static final String ANONYMOUS = "";
    /** Reads and deletes a token in one step, so two resumes cannot both use it. */
    private static final RedisScript TAKE = new RedisScript(
            "local v = redis.call('HGETALL', KEYS[1]) redis.call('DEL', KEYS[1]) return v");

    private final RedisAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final ConnectionHub hub;
    private final HistoryRecovery recovery;
    private final ConnectionGuard guard;
    private final Duration ttl;

    public ResumeService(RedisAsyncCommands<String, String> redis, KeySchema keys, ConnectionHub hub,
                         HistoryRecovery recovery, ConnectionGuard guard, Duration ttl) {
        this.redis = redis;
        this.keys = keys;
        this.hub = hub;
        this.recovery = recovery;
        this.guard = guard;
        this.ttl = ttl;
    }

    /** The connection's token (given in {@code welcome}), or null before {@link #issue}. */
    public static String tokenOf(LocalConnection connection) {
        return (String) connection.attributes().get(TOKEN_ATTRIBUTE);
    }

    /** Creates the connection's token in Redis; {@code welcome} waits for it, so it works at once. */
    public CompletableFuture<Void> issue(LocalConnection connection) {
        String token = Identifiers.newResumeToken();
        String key = keys.resume(token);
        Map<String, String> fields = Map.of("userId", connection.userId() == null ? ANONYMOUS : connection.userId(),
                "connectionId", connection.id());
        return redis.hset(key, fields).toCompletableFuture()
                .thenCompose(ignored -> redis.expire(key, Duration.ofHours(OPEN_TTL_HOURS)).toCompletableFuture())
                .thenAccept(ignored -> connection.attributes().put(TOKEN_ATTRIBUTE, token));
    }

    /** The socket closed: its channels go into the token, which now expires after RESUME_TOKEN_TTL. */
    public CompletableFuture<Void> closed(LocalConnection connection) {
        String token = tokenOf(connection);
        if (token == null) {
            return CompletableFuture.completedFuture(null);
        }
        ArrayNode channels = Json.MAPPER.createArrayNode();
        new TreeSet<>(connection.channels()).forEach(channels::add);
        String key = keys.resume(token);
        return redis.hset(key, "channels", Json.write(channels)).toCompletableFuture()
                .thenCompose(ignored -> redis.pexpire(key, ttl.toMillis()).toCompletableFuture())
                .handle((ignored, error) -> {
                    if (error != null) {
                        log.debug("Could not keep the channels of connectionId={} for resume: {}", connection.id(),
                                error.toString());
                    }
                    return null;
                });
    }

    /** {@code {"type":"resume","token":T,"positions":{C:{"offset":N,"epoch":E},...}}}. */
    public void resume(LocalConnection connection, ObjectNode message, JsonNode id) {
        JsonNode tokenNode = message.get("token");
        if (tokenNode == null || !tokenNode.isTextual()) {
            connection.send(Replies.error(ErrorCodes.MISSING_FIELD, "token is required", id));
            return;
        }
        Map<String, Position> positions;
        try {
            positions = positions(message.get("positions"));
        } catch (IllegalArgumentException e) {
            connection.send(Replies.error(ErrorCodes.INVALID_MESSAGE, e.getMessage(), id));
            return;
        }
        String token = tokenNode.asText();
        if (!Identifiers.isValidResumeToken(token)) {
            refuse(connection, "unknown or expired resume token", id);
            return;
        }
        connection.serially(() -> take(token).thenCompose(record -> {
            String owner = record.get("userId");
            String user = connection.userId() == null ? ANONYMOUS : connection.userId();
            if (owner == null) {
                refuse(connection, "unknown or expired resume token", id);
                return CompletableFuture.completedFuture(null);
            }
            if (!owner.equals(user)) {
                log.info("Refused resume connectionId={} userId={}: the token belongs to another user",
                        connection.id(), connection.userId());
                refuse(connection, "this resume token belongs to another user", id);
                return CompletableFuture.completedFuture(null);
            }
            return channelsOf(record).thenCompose(channels -> restore(connection, channels, positions, id));
        }).exceptionally(error -> {
            log.warn("Resume failed connectionId={}: {}", connection.id(), error.toString());
            connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Resume failed, try again", id));
            return null;
        }));
    }

    private CompletableFuture<Map<String, String>> take(String token) {
        return TAKE.<List<Object>>run(redis, ScriptOutputType.MULTI, new String[] {keys.resume(token)})
                .thenApply(flat -> {
                    Map<String, String> record = new HashMap<>();
                    for (int i = 0; i + 1 < flat.size(); i += 2) {
                        record.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
                    }
                    return record;
                });
    }

    /** The channels kept at close, else those of the old connection's set (a crashed node's). */
    private CompletableFuture<List<String>> channelsOf(Map<String, String> record) {
        String kept = record.get("channels");
        if (kept != null) {
            List<String> channels = new ArrayList<>();
            try {
                Json.MAPPER.readTree(kept).forEach(node -> channels.add(node.asText()));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                log.warn("Unreadable channels in a resume token: {}", e.getOriginalMessage());
            }
            return CompletableFuture.completedFuture(channels);
        }
        String old = record.get("connectionId");
        return redis.smembers(keys.connectionChannels(old)).toCompletableFuture()
                .thenApply(set -> new ArrayList<>(new TreeSet<>(set)));
    }

    /** Subscribes to each channel in turn (with recovery on history channels), then says {@code resumed}. */
    private CompletableFuture<Void> restore(LocalConnection connection, List<String> channels,
                                            Map<String, Position> positions, JsonNode id) {
        List<String> restored = new ArrayList<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String channel : channels) {
            if (!ChannelNames.isValid(channel)) {
                continue;
            }
            chain = chain.thenCompose(ignored -> {
                if (connection.channels().contains(channel) || !guard.subscriptionAllowed(connection, channel)) {
                    return CompletableFuture.completedFuture(null);
                }
                CompletableFuture<Void> step = recovery.covers(channel)
                        ? recovery.subscribe(connection, channel, positions.get(channel), null, reply -> { })
                        : hub.subscribe(connection, channel).thenAccept(added ->
                                connection.send(Replies.subscribed(channel, null)));
                return step.handle((ignored2, error) -> {
                    if (error == null) {
                        restored.add(channel);
                    } else {
                        log.warn("Resume could not subscribe connectionId={} channel={}: {}", connection.id(),
                                channel, error.toString());
                    }
                    return null;
                });
            });
        }
        return chain.thenRun(() -> {
            ObjectNode resumed = Replies.message("resumed", id);
            ArrayNode list = resumed.putArray("channels");
            restored.forEach(list::add);
            connection.send(Replies.stamped(resumed));
            log.debug("Resumed connectionId={} channels={}", connection.id(), restored);
        });
    }

    private static Map<String, Position> positions(JsonNode node) {
        Map<String, Position> positions = new HashMap<>();
        if (node == null || node.isNull()) {
            return positions;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("positions must be an object of channel -> {offset, epoch}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            try {
                positions.put(entry.getKey(), Position.parse(entry.getValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("positions of a channel " + e.getMessage());
            }
        }
        return positions;
    }

    private static void refuse(LocalConnection connection, String reason, JsonNode id) {
        connection.send(Replies.error(ErrorCodes.RESUME_REFUSED, reason, id));
    }
}
