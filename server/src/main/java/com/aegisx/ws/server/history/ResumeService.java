package com.aegisx.ws.server.history;

import com.aegisx.ws.client.RedisScript;
import com.aegisx.ws.client.ResumeRecords;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.server.core.NodeCommands;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.core.ConnectionHub;
import com.aegisx.ws.server.core.Position;
import com.aegisx.ws.server.core.Resume;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resume on any node: {@code welcome} gives a token bound to the user; a client that reconnects
 * (to any node) sends {@code resume} with it and its positions, and gets back every channel its
 * old connection had (its own subscriptions and the ones the server made), with the missed
 * messages of history channels.
 *
 * <p>The token costs nothing at connect: it is {@code <connectionId>.<mac>}, the MAC (HMAC-SHA256,
 * 192 bits kept) over the connection id and the user id under a secret all nodes share
 * ({@code <prefix>:resume-secret}, created once with SET NX). When the socket closes (or its node
 * drains) and it had channels, they go to {@code <prefix>:resume:{connectionId}} for
 * RESUME_TOKEN_TTL ({@link ResumeRecords}); a node killed with -9 closes nothing, so whoever sweeps
 * it writes the same record for its connections. If there is none, the old connection's own channel
 * set is used while it exists: the old socket is still open (the client noticed the break first) or
 * its node crashed and was not swept yet.
 *
 * <p>A token works once. The resume that uses it sets {@code <prefix>:resume-used:{connectionId}}
 * with SET NX and takes the record in the same script, so of two resumes racing on two nodes one
 * wins and the other is refused. An old socket still open is then taken over: closed with
 * {@link CloseCodes#TAKEN_OVER}, on whichever node it lives. Refusing instead would fail exactly
 * the resume this exists for: a client that noticed a dead network before its node did, whose old
 * socket stays open there until the ping timeout (minutes). The new socket has a token of its own
 * (its {@code welcome}'s) for the next resume.
 */
public final class ResumeService implements Resume {

    private static final Logger log = LoggerFactory.getLogger(ResumeService.class);
    private static final String ANONYMOUS = "";
    private static final int MAC_CHARS = 32;
    /** Reads and deletes a record in one step. */
    private static final RedisScript TAKE = new RedisScript(
            "local v = redis.call('HGETALL', KEYS[1]) redis.call('DEL', KEYS[1]) return v");
    /**
     * Uses a token: {0} when it was used already; else {1, the record's fields and values...},
     * the record taken as {@link #TAKE} does. KEYS: the record, the used marker (one slot).
     */
    private static final RedisScript CLAIM = new RedisScript(
            "if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0} end "
                    + "local v = redis.call('HGETALL', KEYS[1]) redis.call('DEL', KEYS[1]) "
                    + "table.insert(v, 1, 1) return v");
    /**
     * {0} when the connection is no longer registered, else {1, its channels...}, in one step (its
     * hash and channel set share a slot): read apart, a close between the two read as no channels.
     */
    private static final RedisScript LIVE = new RedisScript(
            "if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end "
                    + "local m = redis.call('SMEMBERS', KEYS[2]) table.insert(m, 1, 1) return m");

    /** Closes a socket on whichever node holds it (the publisher's disconnect, through that node's inbox). */
    @FunctionalInterface
    public interface Disconnect {
        CompletableFuture<Boolean> disconnect(String connectionId, int code, String reason);
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final KeySchema keys;
    private final ConnectionHub hub;
    private final HistoryRecovery recovery;
    private final SubscriptionPolicy subscriptions;
    private final Duration ttl;
    /**
     * How long a used token stays refused: longer than any record that can still be written for
     * its connection (a close already under way, or the sweep of a dead node, which keeps its
     * records up to 5 minutes whatever RESUME_TOKEN_TTL is), so none of them revives the token.
     */
    private final Duration usedTtl;
    private final RemoteTakeover remote;
    private volatile byte[] secret;

    /** {@code timer}: the node's scheduler, on which a takeover on another node is checked ({@link RemoteTakeover}). */
    public ResumeService(RedisClusterAsyncCommands<String, String> redis, KeySchema keys, ConnectionHub hub,
                         HistoryRecovery recovery, SubscriptionPolicy subscriptions, Duration ttl, Disconnect remote,
                         ScheduledExecutorService timer) {
        this.redis = redis;
        this.keys = keys;
        this.hub = hub;
        this.recovery = recovery;
        this.subscriptions = subscriptions;
        this.ttl = ttl;
        Duration longest = ttl.compareTo(ResumeRecords.DEFAULT_TTL) > 0 ? ttl : ResumeRecords.DEFAULT_TTL;
        this.usedTtl = ttl.plus(longest);
        this.remote = new RemoteTakeover(
                connectionId -> remote.disconnect(connectionId, CloseCodes.TAKEN_OVER, NodeCommands.TAKEN_OVER_REASON),
                connectionId -> redis.exists(keys.connection(connectionId)).toCompletableFuture()
                        .thenApply(count -> count > 0),
                (task, delay) -> {
                    try {
                        timer.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException stopping) {
                        log.debug("Node stopping: a takeover is not checked again");
                    }
                });
    }

    /**
     * Takes the nodes' shared secret from Redis, creating it if none exists. Called at startup and
     * now and then (a Redis that restarted empty gets the secret of whichever node writes first;
     * tokens signed with another one are refused, and their clients subscribe again).
     */
    public CompletableFuture<Void> syncSecret() {
        String mine = Identifiers.newSecret() + Identifiers.newSecret();
        return redis.setnx(keys.resumeSecret(), mine).toCompletableFuture()
                .thenCompose(ignored -> redis.get(keys.resumeSecret()).toCompletableFuture())
                .thenAccept(value -> secret = (value != null ? value : mine).getBytes(StandardCharsets.UTF_8));
    }

    /** Gives the connection its token (no Redis work: the token is signed, not stored). */
    @Override
    public void issue(LocalConnection connection) {
        if (secret != null) {
            connection.issueResumeToken(connection.id() + "." + mac(connection.id(), userOf(connection)));
        }
    }

    /** The socket closed: its channels are kept for RESUME_TOKEN_TTL (nothing to keep: nothing written). */
    @Override
    public CompletableFuture<Void> closed(LocalConnection connection) {
        if (!connection.isResumable()) {
            return CompletableFuture.completedFuture(null);
        }
        return ResumeRecords.keep(redis, keys, connection.id(), userOf(connection), connection.channels(),
                        connection.granted(), ttl)
                .handle((ignored, error) -> {
                    if (error != null) {
                        log.debug("Could not keep the channels of connectionId={} for resume: {}", connection.id(),
                                error.toString());
                    }
                    return null;
                });
    }

    /** {@code {"type":"resume","token":T,"positions":{C:{"offset":N,"epoch":E},...}}}. */
    @Override
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
        int dot = token.lastIndexOf('.');
        String oldConnection = dot > 0 ? token.substring(0, dot) : null;
        if (oldConnection == null || Identifiers.nodeOf(oldConnection) == null || secret == null
                || !MessageDigest.isEqual(mac(oldConnection, userOf(connection)).getBytes(StandardCharsets.UTF_8),
                        token.substring(dot + 1).getBytes(StandardCharsets.UTF_8))) {
            log.info("Refused resume connectionId={} userId={}: the token is not this user's", connection.id(),
                    connection.userId());
            refuse(connection, "unknown resume token, or another user's", id);
            return;
        }
        if (oldConnection.equals(connection.id())) {
            refuse(connection, "a connection cannot resume itself", id);
            return;
        }
        connection.serially(() -> claim(oldConnection, connection.id()).thenCompose(record -> {
                    if (record == null) {
                        log.info("Refused resume connectionId={} userId={}: the token of connectionId={} is used",
                                connection.id(), LogSafe.text(connection.userId()), oldConnection);
                        refuse(connection, "resume token used already", id);
                        return CompletableFuture.completedFuture(null);
                    }
                    return channelsOf(oldConnection, record).thenCompose(kept -> {
                        if (kept == null) {
                            refuse(connection, "resume token expired", id);
                            return CompletableFuture.completedFuture(null);
                        }
                        if (kept.live()) {
                            takeOver(oldConnection, connection);
                        }
                        return restore(connection, kept, positions, id);
                    });
                }).exceptionally(error -> {
                    log.warn("Resume failed connectionId={}: {}", connection.id(), error.toString());
                    connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Resume failed, try again", id));
                    return null;
                }));
    }

    /** Uses the token ({@link #CLAIM}): null when it was used already, else the record kept at close (maybe empty). */
    private CompletableFuture<Map<String, String>> claim(String oldConnection, String by) {
        return CLAIM.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.resume(oldConnection), keys.resumeUsed(oldConnection)},
                        by, Long.toString(usedTtl.toMillis()))
                .thenApply(reply -> isOne(reply) ? pairs(reply.subList(1, reply.size())) : null);
    }

    private CompletableFuture<Map<String, String>> take(String oldConnection) {
        return TAKE.<List<Object>>run(redis, ScriptOutputType.MULTI, new String[] {keys.resume(oldConnection)})
                .thenApply(ResumeService::pairs);
    }

    private static Map<String, String> pairs(List<Object> flat) {
        Map<String, String> record = new HashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            record.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
        }
        return record;
    }

    private static boolean isOne(List<Object> reply) {
        return !reply.isEmpty() && reply.get(0) instanceof Number n && n.longValue() == 1;
    }

    /**
     * The old connection's channels, those of them a backend granted it (restored past the rules),
     * and whether they were read from the connection itself, still registered (its socket open, or
     * its node crashed and not swept yet), rather than from the record its close left.
     */
    private record Kept(List<String> channels, Set<String> granted, boolean live) {
    }

    /**
     * The channels kept at close; else, while the old connection is registered, its channel set;
     * else the record its close wrote meanwhile (a close writes it before it unregisters); else
     * null (expired). Grants are known from the record, or from the old socket when it is still
     * open on this node; otherwise every channel passes the rules.
     */
    private CompletableFuture<Kept> channelsOf(String oldConnection, Map<String, String> record) {
        Kept kept = fromRecord(record);
        if (kept != null) {
            return CompletableFuture.completedFuture(kept);
        }
        LocalConnection local = hub.get(oldConnection);
        Set<String> granted = local == null ? Set.of() : local.granted();
        return LIVE.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        new String[] {keys.connection(oldConnection), keys.connectionChannels(oldConnection)})
                .thenCompose(live -> {
                    if (isOne(live)) {
                        TreeSet<String> channels = new TreeSet<>();
                        live.subList(1, live.size()).forEach(channel -> channels.add(String.valueOf(channel)));
                        return CompletableFuture.completedFuture(new Kept(new ArrayList<>(channels), granted, true));
                    }
                    return take(oldConnection).thenApply(ResumeService::fromRecord);
                });
    }

    private static Kept fromRecord(Map<String, String> record) {
        String channels = record.get("channels");
        return channels == null ? null
                : new Kept(jsonList(channels), Set.copyOf(jsonList(record.get("granted"))), false);
    }

    /**
     * Closes the old socket, whose session the new one now holds: one session, one live socket
     * (two would share its position, each getting what the other should). On this node directly;
     * elsewhere through that node's inbox, checked and sent again while the connection stays
     * registered ({@link RemoteTakeover}: pub/sub may lose the command). A node that is gone closes
     * nothing, and its sweep's record for the connection stays unusable (the token is used).
     */
    private void takeOver(String oldConnection, LocalConnection by) {
        log.info("Resume by connectionId={} userId={} takes over connectionId={}", by.id(),
                LogSafe.text(by.userId()), oldConnection);
        LocalConnection local = hub.get(oldConnection);
        if (local != null) {
            local.takeOver(NodeCommands.TAKEN_OVER_REASON);
            return;
        }
        remote.close(oldConnection);
    }

    private static List<String> jsonList(String json) {
        List<String> values = new ArrayList<>();
        if (json == null || json.isEmpty()) {
            return values;
        }
        try {
            Json.MAPPER.readTree(json).forEach(node -> values.add(node.asText()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            log.warn("Unreadable channels in a resume record: {}", e.getOriginalMessage());
        }
        return values;
    }

    /**
     * Subscribes to each channel in turn (with recovery on history channels), then says
     * {@code resumed}. A backend's grants are restored as they were; every other channel passes the
     * channel rules again, under this connection's identity: the user's roles may have been taken
     * away since (resuming without the rules gave a demoted user its admin channels back, and every
     * later resume again).
     */
    private CompletableFuture<Void> restore(LocalConnection connection, Kept kept,
                                            Map<String, Position> positions, JsonNode id) {
        List<String> restored = new ArrayList<>();
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (String channel : kept.channels()) {
            if (!ChannelNames.isValid(channel)) {
                continue;
            }
            chain = chain.thenCompose(ignored -> {
                if (connection.channels().contains(channel)) {
                    return replayHeld(connection, channel, positions.get(channel), restored);
                }
                if (connection.channels().size() >= subscriptions.maxSubscriptions()) {
                    return CompletableFuture.completedFuture(null);
                }
                // The limit holds for both; the rules for all but a backend's grants (see above).
                boolean granted = kept.granted().contains(channel);
                SubscriptionPolicy.Subscriber subscriber = recovery.covers(channel)
                        ? (c, ch) -> recovery.subscribe(c, ch, positions.get(channel), null, reply -> { })
                        : (c, ch) -> hub.subscribe(c, ch).thenApply(added -> {
                            c.send(Replies.subscribed(ch, null));
                            return added;
                        });
                SubscriptionPolicy.Subscriber restoring = !granted ? subscriber
                        : (c, ch) -> subscriber.subscribe(c, ch).thenApply(added -> {
                            c.markGranted(ch);
                            return added;
                        });
                return subscriptions.subscribeInChain(connection, channel, granted
                                ? SubscriptionPolicy.Origin.SERVER : SubscriptionPolicy.Origin.RESUME, restoring)
                        .handle((outcome, error) -> {
                            if (error == null && !outcome.refused()) {
                                restored.add(channel);
                            } else {
                                log.warn("Resume could not subscribe connectionId={} channel={}: {}", connection.id(),
                                        channel, error != null ? error.toString() : outcome.code());
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

    /**
     * A channel the new connection has already (a route subscribed it on connect: the notifications
     * route's reports:alerts, ...): nothing to subscribe, but on a history channel with a position
     * what was published since is replayed, as for any other channel. Skipping it lost, silently,
     * every alert published while the client was away.
     */
    private CompletableFuture<Void> replayHeld(LocalConnection connection, String channel, Position since,
                                               List<String> restored) {
        if (since == null || !recovery.covers(channel)) {
            return CompletableFuture.completedFuture(null);
        }
        return recovery.subscribe(connection, channel, since, null, reply -> { }).handle((added, error) -> {
            if (error == null) {
                restored.add(channel);
            } else {
                log.warn("Resume could not replay connectionId={} channel={}: {}", connection.id(), channel,
                        error.toString());
            }
            return null;
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

    private static String userOf(LocalConnection connection) {
        return connection.userId() == null ? ANONYMOUS : connection.userId();
    }

    private String mac(String connectionId, String userId) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] digest = hmac.doFinal((connectionId + "\n" + userId).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, MAC_CHARS);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    private static void refuse(LocalConnection connection, String reason, JsonNode id) {
        connection.send(Replies.error(ErrorCodes.RESUME_REFUSED, reason, id));
    }
}
