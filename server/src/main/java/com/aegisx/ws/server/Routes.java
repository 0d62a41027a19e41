package com.aegisx.ws.server;

import com.aegisx.ws.server.websocket.Route;
import java.util.List;
import java.util.function.Function;

/** The routes a node serves beside {@code /ws} and {@code /ws/health}. */
public final class Routes {

    private Routes() {
    }

    public static List<Function<WsNode.NodeServices, Route>> extra() {
        return List.of();
    }
}
