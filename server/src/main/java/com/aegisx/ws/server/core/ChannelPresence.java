package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.PresenceMessages;
import com.aegisx.ws.server.metrics.InternalErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Opt-in channel presence (PRESENCE_CHANNELS): on the channels it covers, subscribers get
 * {@code presence_join} / {@code presence_leave} ({@code channel}, {@code userId}, {@code connectionId})
 * when a connection subscribes, unsubscribes or goes away, and a subscriber may ask
 * {@code {"type":"presence","channel":C}} for the member count and at most {@value #MAX_MEMBERS}
 * members of live nodes, read from the cluster-wide channel index. It is a {@link LifecycleSink}: the
 * hub calls it after each index change, so a join is published once the joiner is in the index. A
 * dead node's sockets leave through its sweeper (publisher client's {@code DeadNodeSweeper}).
 */
public final class ChannelPresence implements LifecycleSink {

    public static final int MAX_MEMBERS = 100;
    public static final String JOIN = PresenceMessages.JOIN;
    public static final String LEAVE = PresenceMessages.LEAVE;

    private final Predicate<String> covers;
    private final Broker broker;
    private final KeySchema keys;
    private final PresenceIndex index;

    public ChannelPresence(Predicate<String> covers, Broker broker, KeySchema keys, PresenceIndex index) {
        this.covers = covers;
        this.broker = broker;
        this.keys = keys;
        this.index = index;
    }

    public boolean covers(String channel) {
        return covers.test(channel);
    }

    @Override
    public CompletableFuture<Void> connected(String connectionId, String nodeId, String userId) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> subscribed(String connectionId, String nodeId, String userId, String channel) {
        return announce(JOIN, channel, connectionId, userId);
    }

    @Override
    public CompletableFuture<Void> unsubscribed(String connectionId, String nodeId, String userId, String channel) {
        return announce(LEAVE, channel, connectionId, userId);
    }

    @Override
    public CompletableFuture<Void> disconnected(String connectionId, String nodeId, String userId, int code,
                                                String reason, Collection<String> channels) {
        CompletableFuture<?>[] leaves = channels.stream()
                .map(channel -> announce(LEAVE, channel, connectionId, userId))
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(leaves);
    }

    private CompletableFuture<Void> announce(String type, String channel, String connectionId, String userId) {
        if (!covers(channel)) {
            return CompletableFuture.completedFuture(null);
        }
        return broker.publish(keys.channelTopic(channel), PresenceMessages.of(type, channel, connectionId, userId))
                .thenApply(ignored -> null);
    }

    /** {@code {"type":"presence","channel":C}}: only for a subscriber of a covered channel. */
    public void query(LocalConnection connection, String channel, JsonNode id) {
        if (!covers(channel)) {
            connection.send(Replies.error(ErrorCodes.FORBIDDEN, "No presence on " + channel, id));
            return;
        }
        if (!connection.channels().contains(channel)) {
            connection.send(Replies.error(ErrorCodes.NOT_SUBSCRIBED, "Subscribe to " + channel + " first", id));
            return;
        }
        index.members(channel, MAX_MEMBERS).whenComplete((snapshot, error) -> {
            if (error != null) {
                connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Presence unavailable, try again", id));
                return;
            }
            ObjectNode out = Replies.message("presence", id);
            out.put("channel", channel);
            out.put("count", snapshot.count());
            ArrayNode members = out.putArray("members");
            for (PresenceIndex.Member member : snapshot.members()) {
                ObjectNode m = members.addObject().put("connectionId", member.connectionId());
                if (member.userId() == null) {
                    m.putNull("userId");
                } else {
                    m.put("userId", member.userId());
                }
            }
            connection.send(Replies.stamped(out));
        }).whenComplete(InternalErrors.of("presence query"));
    }
}
