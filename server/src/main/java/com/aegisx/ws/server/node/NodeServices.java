package com.aegisx.ws.server.node;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.Conflation;
import com.aegisx.ws.server.core.ConnectionHub;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.http.ManagementEndpoints;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The pieces a route factory may need. All are non-blocking: a route runs on Jetty's threads or on
 * the node's callback executor, neither of which may wait (see {@code core/package-info.java}).
 *
 * @param subscriptions the one way a route adds a subscription
 * @param protocol      the client protocol, for a route's own client requests (e.g. a subscribe of its own)
 * @param publisher     cluster-wide operations (broadcast, send to a user...), asynchronous
 * @param redis         the node's command connection, for a route's own keys (report state)
 * @param callbacks     where a route continues after a Redis future: {@code thenAcceptAsync(..., callbacks)}
 * @param scheduler     the node's timer thread (short tasks only)
 * @param management    takes endpoints for the management port (operators and backends only)
 * @param conflation    latest-value channels, for what a route sends on a channel outside its interceptor
 */
public record NodeServices(ServerConfig config, ConnectionHub hub, SubscriptionPolicy subscriptions,
                           ClientProtocol protocol,
                           AsyncWsPublisher publisher, RedisClusterAsyncCommands<String, String> redis,
                           Executor callbacks, ScheduledExecutorService scheduler,
                           ManagementEndpoints management, Conflation conflation) {
}
