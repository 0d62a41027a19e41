package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.NodeCommand;
import com.aegisx.ws.protocol.WireFormat;
import com.aegisx.ws.server.metrics.InternalErrors;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The interpreter of the node's inbox: commands that the manager, the publisher client and other
 * nodes send to one of this node's sockets (send, subscribe, unsubscribe, disconnect) or to the
 * node (cleanup). They come from trusted writers, so they bypass the client-side limits.
 */
public final class NodeCommands {

    private static final Logger log = LoggerFactory.getLogger(NodeCommands.class);

    /** The close reason of {@link CloseCodes#TAKEN_OVER} (README, close codes). */
    public static final String TAKEN_OVER_REASON = "session resumed elsewhere";

    private final ConnectionHub hub;
    private volatile Recovery recovery;

    public NodeCommands(ConnectionHub hub) {
        this.hub = hub;
    }

    /**
     * Server-made subscriptions to history channels go through it, so their {@code subscribed}
     * carries the channel's position: a client that resumes after a crash can then ask for what it
     * missed even when no message of the channel reached it before. Null: plain subscriptions only.
     */
    public void recovery(Recovery recovery) {
        this.recovery = recovery;
    }

    /** Runs one command; throws {@link IllegalArgumentException} when the payload is not one. */
    public void execute(String payload) {
        NodeCommand command = NodeCommand.decode(payload);
        if (command.op() == NodeCommand.Op.CLEANUP) {
            hub.closeInactive(null);
            return;
        }
        LocalConnection connection = hub.get(command.connectionId());
        if (connection == null) {
            log.debug("Command {} for unknown connectionId={}", command.op(), command.connectionId());
            return;
        }
        switch (command.op()) {
            case SEND -> connection.send(encode(WireFormat.stamp(command.message(), null)));
            case SUBSCRIBE -> subscribe(connection, command.channel());
            case UNSUBSCRIBE -> connection.serially(() -> hub.unsubscribe(connection, command.channel()))
                    .whenComplete((removed, error) -> {
                        if (error != null) {
                            InternalErrors.record("unsubscribe command", error);
                        } else if (Boolean.TRUE.equals(removed)) {
                            connection.send(Replies.unsubscribed(command.channel(), null).put("by", "server"));
                        }
                    });
            // A resume on another node took this socket's session (ResumeService).
            case DISCONNECT -> {
                if (command.code() == CloseCodes.TAKEN_OVER) {
                    connection.takeOver(command.reason() == null ? TAKEN_OVER_REASON : command.reason());
                } else {
                    disconnect(connection, command);
                }
            }
            default -> { }
        }
    }

    private static void disconnect(LocalConnection connection, NodeCommand command) {
        connection.close(command.code() >= 4000 && command.code() < 5000 || command.code() == 1000
                        ? command.code() : CloseCodes.DISCONNECTED_BY_SERVER,
                command.reason() == null ? "disconnected by server" : command.reason());
    }

    private void subscribe(LocalConnection connection, String channel) {
        Recovery history = recovery;
        if (history != null && history.covers(channel)) {
            connection.serially(() -> history.subscribe(connection, channel, null, null,
                            reply -> reply.put("by", "server")).thenApply(granted(connection, channel)))
                    .whenComplete((added, error) -> {
                        if (error != null) {
                            connection.send(subscriptionFailed(channel));
                        }
                    });
            return;
        }
        connection.serially(() -> hub.subscribe(connection, channel).thenApply(granted(connection, channel)))
                .whenComplete((added, error) -> connection.send(error == null
                        ? Replies.subscribed(channel, null).put("by", "server")
                        : subscriptionFailed(channel)));
    }

    /**
     * Marks the channel as the backend's grant, inside the chained step (before a close queued
     * behind it writes the resume record): a resume restores it without the channel rules.
     */
    private static java.util.function.Function<Boolean, Boolean> granted(LocalConnection connection, String channel) {
        return added -> {
            connection.markGranted(channel);
            return added;
        };
    }

    private static ObjectNode subscriptionFailed(String channel) {
        return Replies.error(ErrorCodes.UNAVAILABLE, "subscription to " + channel + " failed", null);
    }

    private static ByteBuffer encode(ObjectNode message) {
        return ByteBuffer.wrap(Json.write(message).getBytes(StandardCharsets.UTF_8));
    }
}
