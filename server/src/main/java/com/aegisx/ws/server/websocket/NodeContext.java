package com.aegisx.ws.server.websocket;

import com.aegisx.ws.server.config.ServerConfig;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/** What the endpoints of one node share. */
public record NodeContext(
        ServerConfig config,
        ConnectionHub hub,
        ClientProtocol protocol,
        WsEndpoint.Counters counters,
        ScheduledExecutorService scheduler,
        BooleanSupplier ready) {
}
