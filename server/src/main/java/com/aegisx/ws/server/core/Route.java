package com.aegisx.ws.server.core;

/** A WebSocket path (jakarta URI template, e.g. {@code /api/v1/reports/progress/{reportId}}) and its handler. */
public record Route(String name, String path, RouteHandler handler) {

    public static Route plain(String name, String path) {
        return new Route(name, path, new RouteHandler() { });
    }
}
