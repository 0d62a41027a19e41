package com.aegisx.ws.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A command published to one node's inbox ({@code ws:inbox:{nodeId}}).
 *
 * <pre>
 * {"op":"send","connectionId":"ws_n1_abc","message":{...}}     deliver to one local socket
 * {"op":"subscribe","connectionId":"ws_n1_abc","channel":"c"}   subscribe a local socket
 * {"op":"unsubscribe","connectionId":"ws_n1_abc","channel":"c"}
 * {"op":"disconnect","connectionId":"ws_n1_abc","code":4000,"reason":"..."}
 * {"op":"cleanup"}                                               run the inactivity sweep now
 * </pre>
 */
public record NodeCommand(Op op, String connectionId, String channel, ObjectNode message, int code, String reason) {

    /** A disconnect's reason is cut to what a close frame carries, whoever wrote it (CloseReasons). */
    public NodeCommand {
        reason = CloseReasons.truncate(reason);
    }

    public enum Op {
        SEND, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT, CLEANUP;

        public String wireName() {
            return name().toLowerCase();
        }
    }

    public static NodeCommand send(String connectionId, ObjectNode message) {
        return new NodeCommand(Op.SEND, connectionId, null, message, 0, null);
    }

    public static NodeCommand subscribe(String connectionId, String channel) {
        return new NodeCommand(Op.SUBSCRIBE, connectionId, channel, null, 0, null);
    }

    public static NodeCommand unsubscribe(String connectionId, String channel) {
        return new NodeCommand(Op.UNSUBSCRIBE, connectionId, channel, null, 0, null);
    }

    public static NodeCommand disconnect(String connectionId, int code, String reason) {
        return new NodeCommand(Op.DISCONNECT, connectionId, null, null, code, reason);
    }

    public static NodeCommand cleanup() {
        return new NodeCommand(Op.CLEANUP, null, null, null, 0, null);
    }

    public String encode() {
        ObjectNode out = Json.object();
        out.put("op", op.wireName());
        if (connectionId != null) {
            out.put("connectionId", connectionId);
        }
        if (channel != null) {
            out.put("channel", channel);
        }
        if (message != null) {
            out.set("message", message);
        }
        if (op == Op.DISCONNECT) {
            out.put("code", code);
            if (reason != null) {
                out.put("reason", reason);
            }
        }
        return Json.write(out);
    }

    /** Throws IllegalArgumentException when the payload is not a well-formed command. */
    public static NodeCommand decode(String payload) {
        ObjectNode root = Json.parseObject(payload);
        String opName = text(root, "op");
        if (opName == null) {
            throw new IllegalArgumentException("command without op");
        }
        Op op;
        try {
            op = Op.valueOf(opName.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown op '" + opName + "'");
        }
        String connectionId = text(root, "connectionId");
        String channel = text(root, "channel");
        JsonNode message = root.get("message");
        if (op != Op.CLEANUP && connectionId == null) {
            throw new IllegalArgumentException(opName + " needs connectionId");
        }
        if ((op == Op.SUBSCRIBE || op == Op.UNSUBSCRIBE) && channel == null) {
            throw new IllegalArgumentException(opName + " needs channel");
        }
        if (op == Op.SEND && (message == null || !message.isObject())) {
            throw new IllegalArgumentException("send needs a message object");
        }
        return new NodeCommand(op, connectionId, channel,
                message != null && message.isObject() ? (ObjectNode) message : null,
                root.path("code").asInt(0), text(root, "reason"));
    }

    private static String text(ObjectNode root, String field) {
        JsonNode node = root.get(field);
        return node != null && node.isTextual() ? node.asText() : null;
    }
}
