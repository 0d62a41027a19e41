package com.aegisx.ws.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Payloads of the broadcast and user pub/sub channels, written by the publisher client (or by
 * anyone with redis-cli) and read by every node.
 *
 * <p>A payload is either the message itself, a JSON object, which is what makes
 * {@code PUBLISH 'ws:ch:{news}' '{"type":"hello"}'} work from any language, or an envelope that
 * carries delivery options beside it:
 * <pre>{"__ws":{"exclude":"ws_nodeA_x1y2"},"message":{...}}</pre>
 * The reserved member {@value #ENVELOPE_FIELD} marks the envelope; messages must not use it.
 *
 * <p>What a client finally receives is the message with {@code channel} (for broadcasts) and
 * {@code timestamp} added when the publisher did not set them.
 */
public final class WireFormat {

    public static final String ENVELOPE_FIELD = "__ws";
    public static final String MESSAGE_FIELD = "message";
    public static final String EXCLUDE_FIELD = "exclude";

    private WireFormat() {
    }

    /** A decoded payload: the message and the connection to skip, if any. */
    public record Delivery(ObjectNode message, String excludeConnection) {
    }

    /** Encodes a payload for a broadcast or user channel. Fills channel and timestamp when absent. */
    public static String encode(ObjectNode message, String channel, String excludeConnection) {
        ObjectNode out = stamp(message, channel);
        if (excludeConnection == null) {
            return Json.write(out);
        }
        ObjectNode envelope = Json.object();
        envelope.putObject(ENVELOPE_FIELD).put(EXCLUDE_FIELD, excludeConnection);
        envelope.set(MESSAGE_FIELD, out);
        return Json.write(envelope);
    }

    /** Decodes a payload; throws IllegalArgumentException when it is not a JSON object or envelope. */
    public static Delivery decode(String payload) {
        ObjectNode root = Json.parseObject(payload);
        JsonNode options = root.get(ENVELOPE_FIELD);
        if (options == null) {
            return new Delivery(root, null);
        }
        JsonNode message = root.get(MESSAGE_FIELD);
        if (message == null || !message.isObject()) {
            throw new IllegalArgumentException("envelope without a message object");
        }
        JsonNode exclude = options.get(EXCLUDE_FIELD);
        return new Delivery((ObjectNode) message, exclude != null && exclude.isTextual() ? exclude.asText() : null);
    }

    /**
     * Adds {@code channel} (when given and absent) and {@code timestamp} (when absent) in place and
     * returns the same node.
     */
    public static ObjectNode stamp(ObjectNode message, String channel) {
        if (channel != null && !message.has("channel")) {
            message.put("channel", channel);
        }
        if (!message.has("timestamp")) {
            message.put("timestamp", Timestamps.now());
        }
        return message;
    }
}
