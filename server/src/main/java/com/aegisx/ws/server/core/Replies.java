package com.aegisx.ws.server.core;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.Timestamps;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.TreeSet;

/** Server-to-client messages of the protocol. Each carries {@code timestamp}; replies echo {@code id}. */
public final class Replies {

    private Replies() {
    }

    public static ObjectNode message(String type, JsonNode id) {
        ObjectNode out = Json.object();
        out.put("type", type);
        if (id != null && !id.isNull() && !id.isMissingNode()) {
            out.set("id", id);
        }
        return out;
    }

    public static ObjectNode stamped(ObjectNode message) {
        message.put("timestamp", Timestamps.now());
        return message;
    }

    public static ObjectNode welcome(LocalConnection connection, Collection<String> availableChannels) {
        ObjectNode out = message("welcome", null);
        ObjectNode data = out.putObject("data");
        data.put("connectionId", connection.id());
        data.put("userId", connection.userId());
        data.put("serverTime", Timestamps.now());
        ArrayNode channels = data.putArray("availableChannels");
        availableChannels.forEach(channels::add);
        String resumeToken = connection.resumeToken();
        if (resumeToken != null) {
            data.put("resumeToken", resumeToken);
        }
        return stamped(out);
    }

    public static ObjectNode subscribed(String channel, JsonNode id) {
        ObjectNode out = message("subscribed", id);
        out.put("channel", channel);
        return stamped(out);
    }

    public static ObjectNode unsubscribed(String channel, JsonNode id) {
        ObjectNode out = message("unsubscribed", id);
        out.put("channel", channel);
        return stamped(out);
    }

    public static ObjectNode pong(JsonNode id) {
        return stamped(message("pong", id));
    }

    public static ObjectNode status(LocalConnection connection, String nodeId, JsonNode id) {
        ObjectNode out = message("status", id);
        ObjectNode data = out.putObject("data");
        data.put("connectionId", connection.id());
        data.put("userId", connection.userId());
        data.put("nodeId", nodeId);
        ArrayNode channels = data.putArray("channels");
        new TreeSet<>(connection.channels()).forEach(channels::add);
        data.put("connectedAt", Timestamps.format(connection.connectedAt()));
        data.put("lastActivity", Timestamps.formatMillis(connection.lastSeenMillis()));
        data.put("serverTime", Timestamps.now());
        return stamped(out);
    }

    public static ObjectNode error(String code, String message, JsonNode id) {
        ObjectNode out = message("error", id);
        com.aegisx.ws.server.metrics.ErrorTally.increment(code);
        out.put("code", code);
        out.put("message", message);
        return stamped(out);
    }
}
