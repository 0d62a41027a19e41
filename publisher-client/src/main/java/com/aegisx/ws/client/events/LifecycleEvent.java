package com.aegisx.ws.client.events;

import java.util.Map;

/**
 * One entry of the lifecycle stream: its stream id and fields ({@code type}, {@code at} epoch ms,
 * {@code connectionId}, {@code nodeId}, {@code userId}?, {@code channel}? or {@code channels}?
 * (disconnected: comma list), {@code code}?, {@code reason}?, {@code by}: the writer).
 */
public record LifecycleEvent(String id, Map<String, String> fields) {

    public static final String CONNECTED = "connected";
    public static final String DISCONNECTED = "disconnected";
    public static final String SUBSCRIBED = "subscribed";
    public static final String UNSUBSCRIBED = "unsubscribed";
    public static final String USER_ONLINE = "user_online";
    public static final String USER_OFFLINE = "user_offline";

    public String type() {
        return fields.get("type");
    }

    public String connectionId() {
        return fields.get("connectionId");
    }

    public String userId() {
        return fields.get("userId");
    }

    public String channel() {
        return fields.get("channel");
    }

    /** Close code of a {@code disconnected} event, or -1. */
    public int code() {
        String code = fields.get("code");
        return code == null ? -1 : Integer.parseInt(code);
    }

    public String reason() {
        return fields.get("reason");
    }
}
