package com.aegisx.ws.server.jetty;

import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.Session;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code WS /ws/health}: sends one health message and closes normally. */
public final class HealthEndpoint extends Endpoint {

    private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);

    private final NodeContext node;

    HealthEndpoint(NodeContext node) {
        this.node = node;
    }

    @Override
    public void onOpen(Session session, EndpointConfig config) {
        boolean ready = node.ready().getAsBoolean();
        ObjectNode health = Json.object();
        health.put("type", "health");
        health.put("status", ready ? "ok" : "degraded");
        health.put("redis", ready ? "up" : "down");
        health.put("nodeId", node.hub().nodeId());
        health.put("timestamp", Timestamps.now());
        try {
            session.getBasicRemote().sendText(Json.write(health));
            session.close(new CloseReason(CloseReason.CloseCodes.NORMAL_CLOSURE, "health check done"));
        } catch (IOException e) {
            log.debug("Health socket closed early: {}", e.toString());
        }
    }
}
