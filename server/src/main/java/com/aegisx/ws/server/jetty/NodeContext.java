package com.aegisx.ws.server.jetty;

import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.ConnectionHub;
import com.aegisx.ws.server.metrics.SocketCounters;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;

/** What the endpoints of one node share. */
public record NodeContext(
        ServerConfig config,
        ConnectionHub hub,
        ClientProtocol protocol,
        SocketCounters counters,
        ScheduledExecutorService scheduler,
        BooleanSupplier ready) {
}
