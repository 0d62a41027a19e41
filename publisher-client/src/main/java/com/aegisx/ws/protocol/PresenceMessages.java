package com.aegisx.ws.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The channel presence frames a channel's subscribers get ({@code PRESENCE_CHANNELS}):
 * {@code {"type":"presence_join"|"presence_leave","channel":C,"connectionId":..,"userId":..|null}},
 * published on the channel's topic by the node (join, leave, close) or by whoever sweeps a dead node.
 */
public final class PresenceMessages {

    public static final String JOIN = "presence_join";
    public static final String LEAVE = "presence_leave";

    private PresenceMessages() {
    }

    public static String of(String type, String channel, String connectionId, String userId) {
        ObjectNode message = Json.object().put("type", type).put("channel", channel).put("connectionId", connectionId);
        if (userId == null || userId.isEmpty()) {
            message.putNull("userId");
        } else {
            message.put("userId", userId);
        }
        return Json.write(message);
    }
}
