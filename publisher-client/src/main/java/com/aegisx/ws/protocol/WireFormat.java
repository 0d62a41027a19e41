package com.aegisx.ws.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.Map;

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

    /**
     * Encodes a payload for a broadcast or user channel. Fills channel and timestamp when absent,
     * and writes them as the first members ({@code channel} only for broadcasts), so a node can
     * recognise a payload that needs no stamping by its prefix and forward it without parsing it
     * again ({@link #stampedTimestampAt}).
     */
    public static String encode(ObjectNode message, String channel, String excludeConnection) {
        ObjectNode out = stampFirst(message, channel);
        if (excludeConnection == null) {
            return Json.write(out);
        }
        ObjectNode envelope = Json.object();
        envelope.putObject(ENVELOPE_FIELD).put(EXCLUDE_FIELD, excludeConnection);
        envelope.set(MESSAGE_FIELD, out);
        return Json.write(envelope);
    }

    /**
     * The same for a message given as JSON text: stamped in the text ({@link RawStamp}), so the
     * publisher's numbers and formatting reach clients as written.
     */
    public static String encodeText(String message, String channel, String excludeConnection) {
        String out = RawStamp.stampMessage(message, channel);
        return excludeConnection == null ? out : envelopeText(out, excludeConnection);
    }

    /** {@code {"__ws":{"exclude":...},"message":<message text>}}, the message text as it is. */
    public static String envelopeText(String message, String excludeConnection) {
        ObjectNode options = Json.object();
        options.put(EXCLUDE_FIELD, excludeConnection);
        return "{\"" + ENVELOPE_FIELD + "\":" + Json.write(options) + ",\"" + MESSAGE_FIELD + "\":" + message + "}";
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
     * A new node with {@code channel} (when given; the message's own value if it has one) and
     * {@code timestamp} (the message's own, else now) as its first members, then the message's
     * other members in their order.
     */
    static ObjectNode stampFirst(ObjectNode message, String channel) {
        ObjectNode out = Json.object();
        if (channel != null) {
            JsonNode own = message.get("channel");
            out.set("channel", own != null ? own : TextNode.valueOf(channel));
        }
        JsonNode ownTimestamp = message.get("timestamp");
        out.set("timestamp", ownTimestamp != null ? ownTimestamp : TextNode.valueOf(Timestamps.now()));
        Iterator<Map.Entry<String, JsonNode>> members = message.fields();
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> member = members.next();
            String name = member.getKey();
            if (!name.equals("timestamp") && !(channel != null && name.equals("channel"))) {
                out.set(name, member.getValue());
            }
        }
        return out;
    }

    private static final String CHANNEL_PREFIX = "{\"channel\":\"";
    private static final String TIMESTAMP_AFTER_CHANNEL = "\",\"timestamp\":\"";
    private static final String TIMESTAMP_PREFIX = "{\"timestamp\":\"";
    /** {@code 2024-01-07T10:30:00.000Z}: the only timestamp format on the wire ({@link Timestamps}). */
    public static final int TIMESTAMP_LENGTH = 24;

    /**
     * Where the timestamp starts in a payload that is already what clients must receive, or -1.
     *
     * <p>That is a payload as {@link #encode} writes it without {@code exclude}: it begins with
     * {@code {"channel":"<channel>","timestamp":"<24 characters>",} for a broadcast on
     * {@code channel} (null for user and inbox messages: {@code {"timestamp":"...",}), the timestamp
     * has the wire format, and it ends with {@code }}. Such a payload can be forwarded as it is:
     * decoding and stamping it would give the same message back. Anything else (redis-cli payloads,
     * envelopes, other member orders) returns -1 and takes the full path: parse, validate, stamp.
     * The check reads only the prefix, so a hand-written payload that imitates it exactly is
     * forwarded unparsed; publishing needs Redis access, which is trusted anyway.
     */
    public static int stampedTimestampAt(String payload, String channel) {
        int at;
        if (channel != null) {
            if (!payload.startsWith(CHANNEL_PREFIX) || !isPlainString(channel)
                    || !payload.startsWith(channel, CHANNEL_PREFIX.length())
                    || !payload.startsWith(TIMESTAMP_AFTER_CHANNEL, CHANNEL_PREFIX.length() + channel.length())) {
                return -1;
            }
            at = CHANNEL_PREFIX.length() + channel.length() + TIMESTAMP_AFTER_CHANNEL.length();
        } else {
            if (!payload.startsWith(TIMESTAMP_PREFIX)) {
                return -1;
            }
            at = TIMESTAMP_PREFIX.length();
        }
        int end = at + TIMESTAMP_LENGTH;
        if (payload.length() < end + 2 || !isWireTimestamp(payload, at) || payload.charAt(end) != '"'
                || (payload.charAt(end + 1) != ',' && payload.charAt(end + 1) != '}')
                || payload.charAt(payload.length() - 1) != '}') {
            return -1;
        }
        return at;
    }

    /** {@code dddd-dd-ddTdd:dd:dd.dddZ} at {@code at}. */
    private static boolean isWireTimestamp(String s, int at) {
        for (int i = 0; i < TIMESTAMP_LENGTH; i++) {
            char c = s.charAt(at + i);
            boolean ok = switch (i) {
                case 4, 7 -> c == '-';
                case 10 -> c == 'T';
                case 13, 16 -> c == ':';
                case 19 -> c == '.';
                case 23 -> c == 'Z';
                default -> c >= '0' && c <= '9';
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** True when the text is written in JSON as it is (no escapes). */
    private static boolean isPlainString(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c > 0x7e) {
                return false;
            }
        }
        return true;
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
