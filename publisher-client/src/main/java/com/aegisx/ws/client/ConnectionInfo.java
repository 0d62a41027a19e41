package com.aegisx.ws.client;

import java.util.Set;

/**
 * A connection as the spec's {@code WebSocketConnection} describes it, plus the id of the node
 * that holds the socket. Timestamps are ISO-8601 UTC with milliseconds.
 */
public record ConnectionInfo(
        String id,
        String userId,
        String nodeId,
        Set<String> channels,
        String lastActivity,
        Metadata metadata) {

    public record Metadata(String userAgent, String ip, String connectedAt) {
    }
}
