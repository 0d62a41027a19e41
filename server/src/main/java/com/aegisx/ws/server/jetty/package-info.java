/**
 * The transport adapter: Jetty 12 with the jakarta WebSocket server API. The upgrade gate (origin,
 * token, connection limits, before Jetty upgrades), one endpoint per socket feeding the core's
 * {@code ClientProtocol}, and {@link com.aegisx.ws.server.jetty.OutboundWriter}, the core's
 * {@code Outbound}.
 *
 * <p>Every reach into Jetty's internals lives here, each pinned by a test that fails when a Jetty
 * upgrade changes what it relies on: the direct frame enqueue past the session's chain
 * ({@code OutboundWriter}), emptying the session's built-in decoder list
 * ({@code WsEndpoint.dropUnusedDecoders}) and releasing the HTTP upgrade request
 * ({@code UpgradeRequestRelease}); see {@code IdleFootprintIT}.
 *
 * <p>Threading: Jetty calls the endpoints on its own pool; nothing here blocks one of those threads
 * on Redis (the gate continues on a Jetty thread once the limiter's future completes).
 */
package com.aegisx.ws.server.jetty;
