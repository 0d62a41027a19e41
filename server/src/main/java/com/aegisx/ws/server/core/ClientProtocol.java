package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.auth.LogSafe;
import com.aegisx.ws.server.logging.ConnectionLog;
import com.aegisx.ws.server.metrics.InternalErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads client frames and answers them: the common message types of every route, then the
 * route's own. Bad input of any kind gets an {@code error} reply and changes nothing.
 *
 * <p>Everything here comes from a client and is untrusted: every frame passes the
 * {@link ConnectionGuard}'s rate limit first, every {@code subscribe} the channel rules and the
 * subscription limit. Server-side paths (manager and publisher-client commands arriving in the node
 * inbox, route auto-subscriptions) are trusted and bypass both.
 */
public final class ClientProtocol {

    private static final Logger log = LoggerFactory.getLogger(ClientProtocol.class);

    private final ConnectionHub hub;
    private final SubscriptionPolicy subscriptions;
    private final int maxChannelLength;
    private final ConnectionGuard guard;
    private volatile Recovery recovery;
    private volatile ReplayBudget replays = ReplayBudget.unlimited();
    private volatile Resume resume;
    private volatile ChannelPresence presence;

    public ClientProtocol(ConnectionHub hub, SubscriptionPolicy subscriptions, int maxChannelLength,
                          ConnectionGuard guard) {
        this.hub = hub;
        this.subscriptions = subscriptions;
        this.maxChannelLength = maxChannelLength;
        this.guard = guard;
    }

    /** Subscriptions to history channels go through it (HISTORY_RULES); null: plain subscriptions only. */
    public void recovery(Recovery recovery) {
        this.recovery = recovery;
    }

    /** How many {@code since} replays one socket may ask for (HISTORY_REPLAY_*); unlimited unless set. */
    public void replays(ReplayBudget replays) {
        this.replays = replays;
    }

    /** Resume tokens in {@code welcome} and the {@code resume} message; null: neither. */
    public void resume(Resume resume) {
        this.resume = resume;
    }

    /** Opt-in channel presence (PRESENCE_CHANNELS); null: the {@code presence} message is unknown. */
    public void presence(ChannelPresence presence) {
        this.presence = presence;
    }

    public Resume resume() {
        return resume;
    }

    public ConnectionGuard guard() {
        return guard;
    }

    public SubscriptionPolicy subscriptions() {
        return subscriptions;
    }

    public void onText(LocalConnection connection, RouteHandler route, String text) {
        connection.touch();
        if (!guard.admit(connection)) {
            return;
        }
        if (!connection.isWelcomed() || !connection.isChainIdle()) {
            // Frames sent before welcome wait behind it, so welcome is always the first message; and
            // a frame handled at once while earlier frames still wait in the chain would get its
            // reply chained before theirs (a ping answered before an earlier subscribe).
            connection.serially(() -> {
                handle(connection, route, text);
                return CompletableFuture.completedFuture(null);
            }).whenComplete(InternalErrors.of("a frame sent before welcome"));
            return;
        }
        handle(connection, route, text);
    }

    private void handle(LocalConnection connection, RouteHandler route, String text) {
        ObjectNode message;
        try {
            message = Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            reject(connection, ErrorCodes.INVALID_JSON, "Message must be a JSON object: " + e.getMessage(), null);
            return;
        }
        JsonNode id = message.get("id");
        if (id != null && !(id.isTextual() || id.isNumber())) {
            reject(connection, ErrorCodes.INVALID_MESSAGE, "id must be a string or a number", null);
            return;
        }
        JsonNode typeNode = message.get("type");
        if (typeNode == null || !typeNode.isTextual() || typeNode.asText().isEmpty()) {
            reject(connection, ErrorCodes.MISSING_FIELD, "type is required and must be a string", id);
            return;
        }
        String type = typeNode.asText();
        JsonNode channelNode = message.get("channel");
        ConnectionLog.received(log, connection.id(), type, channelNode == null ? null : channelNode.asText());
        switch (type) {
            case "subscribe" -> subscribe(connection, message, id);
            case "unsubscribe" -> unsubscribe(connection, message, id);
            // Behind pending subscribes, so replies come in the order of the requests.
            case "ping" -> connection.serially(() -> {
                connection.send(Replies.pong(id));
                return CompletableFuture.completedFuture(null);
            }).whenComplete(InternalErrors.of("ping"));
            case ConnectionGuard.REFRESH_TOKEN -> guard.refresh(connection, hub, message, id);
            case "resume" -> {
                if (resume != null) {
                    resume.resume(connection, message, id);
                } else {
                    reject(connection, ErrorCodes.UNKNOWN_TYPE, "Unknown message type 'resume'", id);
                }
            }
            case "presence" -> {
                ChannelPresence channels = presence;
                String channel = channels == null ? null : channelOf(connection, message, id);
                if (channels == null) {
                    reject(connection, ErrorCodes.UNKNOWN_TYPE, "Unknown message type 'presence'", id);
                } else if (channel != null) {
                    channels.query(connection, channel, id);
                }
            }
            case "get_status" -> connection.serially(() -> {
                connection.send(Replies.status(connection, hub.nodeId(), id));
                return CompletableFuture.completedFuture(null);
            }).whenComplete(InternalErrors.of("get_status"));
            default -> {
                if (!route.onMessage(connection, type, message, id)) {
                    reject(connection, ErrorCodes.UNKNOWN_TYPE, "Unknown message type '" + abbreviate(type) + "'", id);
                }
            }
        }
    }

    private void subscribe(LocalConnection connection, ObjectNode message, JsonNode id) {
        String channel = channelOf(connection, message, id);
        if (channel == null) {
            return;
        }
        Position since = null;
        if (recovery != null && recovery.covers(channel)) {
            try {
                since = Position.parse(message.get("since"));
            } catch (IllegalArgumentException e) {
                reject(connection, ErrorCodes.INVALID_MESSAGE, "since " + e.getMessage(), id);
                return;
            }
        }
        subscribeForClient(connection, channel, since, id, reply -> { });
    }

    /** The same without a history position. */
    public void subscribeForClient(LocalConnection connection, String channel, JsonNode id,
                                   Consumer<ObjectNode> decorate) {
        subscribeForClient(connection, channel, null, id, decorate);
    }

    /**
     * A subscription a client asked for, on any route ({@code subscribe}, {@code subscribe_template}):
     * through {@link SubscriptionPolicy} as {@link SubscriptionPolicy.Origin#CLIENT} (the channel rules,
     * then the subscription limit, then the broker); answered with {@code subscribed} (completed by
     * {@code decorate}) or an error. A {@code since} past the socket's {@link ReplayBudget} is
     * not replayed: subscribed with the position and {@code recovered:false}.
     */
    public void subscribeForClient(LocalConnection connection, String channel, Position since, JsonNode id,
                                   Consumer<ObjectNode> decorate) {
        if (recovery != null && recovery.covers(channel)) {
            if (since != null && !replays.admit(connection)) {
                subscribeWithHistory(connection, channel, null, id, decorate.andThen(ReplayBudget::markRefused));
            } else {
                subscribeWithHistory(connection, channel, since, id, decorate);
            }
            return;
        }
        subscriptions.subscribe(connection, channel, SubscriptionPolicy.Origin.CLIENT).whenComplete((outcome, error) -> {
            if (error != null) {
                log.warn("Subscription failed connectionId={} channel={}: {}", connection.id(), channel, error.toString());
                connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Subscription failed, try again", id));
            } else if (outcome.refused()) {
                reject(connection, outcome.code(), outcome.message(), id);
            } else {
                // DEBUG: one line per subscribe is too dear at churn rates; refusals stay at INFO.
                log.debug("Subscribed connectionId={} channel={}", connection.id(), channel);
                ObjectNode reply = Replies.subscribed(channel, id);
                decorate.accept(reply);
                connection.send(reply);
            }
        });
    }

    /** A history channel: {@code subscribed} carries the position; {@code since} replays what was missed. */
    private void subscribeWithHistory(LocalConnection connection, String channel, Position since, JsonNode id,
                                      Consumer<ObjectNode> decorate) {
        subscriptions.subscribe(connection, channel, SubscriptionPolicy.Origin.CLIENT,
                (c, ch) -> recovery.subscribe(c, ch, since, id, decorate)).whenComplete((outcome, error) -> {
            if (error != null) {
                log.warn("Subscription failed connectionId={} channel={}: {}", connection.id(), channel, error.toString());
                connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Subscription failed, try again", id));
            } else if (outcome.refused()) {
                reject(connection, outcome.code(), outcome.message(), id);
            }
        });
    }

    private void unsubscribe(LocalConnection connection, ObjectNode message, JsonNode id) {
        String channel = channelOf(connection, message, id);
        if (channel == null) {
            return;
        }
        connection.serially(() -> hub.unsubscribe(connection, channel)).whenComplete((removed, error) -> {
            if (error != null) {
                connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Unsubscribe failed, try again", id));
            } else if (!removed) {
                connection.send(Replies.error(ErrorCodes.NOT_SUBSCRIBED, "Not subscribed to " + channel, id));
            } else {
                log.debug("Unsubscribed connectionId={} channel={}", connection.id(), channel);
                connection.send(Replies.unsubscribed(channel, id));
            }
        });
    }

    private String channelOf(LocalConnection connection, ObjectNode message, JsonNode id) {
        JsonNode channelNode = message.get("channel");
        if (channelNode == null || channelNode.isNull()) {
            reject(connection, ErrorCodes.MISSING_FIELD, "channel is required", id);
            return null;
        }
        if (!channelNode.isTextual()) {
            reject(connection, ErrorCodes.INVALID_CHANNEL, "channel must be a string", id);
            return null;
        }
        String channel = channelNode.asText();
        String problem = ChannelNames.problem(channel, maxChannelLength);
        if (problem != null) {
            reject(connection, ErrorCodes.INVALID_CHANNEL, problem, id);
            return null;
        }
        return channel;
    }

    /** Replies with an error; routes use it for their own refusals too. */
    public static void reject(LocalConnection connection, String code, String message, JsonNode id) {
        log.debug("Rejected message connectionId={} code={}", connection.id(), code);
        connection.send(Replies.error(code, message, id));
    }

    private static String abbreviate(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7E]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}
