package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.server.WsNode;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.auth.ChannelAccessPolicy;
import com.aegisx.ws.server.websocket.ConnectionHub;
import com.aegisx.ws.server.websocket.LocalConnection;
import com.aegisx.ws.server.websocket.RouteHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /api/v1/reports/notifications}: subscribed before {@code welcome} to
 * {@code reports:system}, {@code reports:maintenance}, {@code reports:alerts} and, for an
 * authenticated user, {@code user:<userId>:reports}. Each automatic subscription passes the node's
 * CHANNEL_RULES like a client's own {@code subscribe}; one the rules refuse is left out (and
 * logged) rather than failing the socket, so {@code get_status} shows what the socket really has.
 */
final class NotificationsRoute implements RouteHandler {

    private static final Logger log = LoggerFactory.getLogger(NotificationsRoute.class);
    static final List<String> SHARED_CHANNELS =
            List.of(ReportChannels.SYSTEM, ReportChannels.MAINTENANCE, ReportChannels.ALERTS);

    private final ConnectionHub hub;
    private final ChannelAccessPolicy policy;

    NotificationsRoute(WsNode.NodeServices services) {
        this.hub = services.hub();
        this.policy = services.config().auth().channelPolicy();
    }

    @Override
    public CompletableFuture<Void> onRegistered(LocalConnection connection, Map<String, String> pathParameters) {
        List<String> channels = new ArrayList<>(SHARED_CHANNELS);
        // A user id that cannot be part of a channel name (e.g. with '/') simply has no user channel.
        if (connection.userId() != null && ChannelNames.isValid(ReportChannels.userReports(connection.userId()))) {
            channels.add(ReportChannels.userReports(connection.userId()));
        }
        List<CompletableFuture<Boolean>> subscriptions = new ArrayList<>();
        for (String channel : channels) {
            AccessDecision decision = policy.canSubscribe(connection.identity(), channel);
            if (decision.allowed()) {
                subscriptions.add(hub.subscribe(connection, channel));
            } else {
                log.info("Notifications connectionId={} userId={} not subscribed to {}: {}",
                        connection.id(), connection.userId(), channel, decision.code());
            }
        }
        return CompletableFuture.allOf(subscriptions.toArray(CompletableFuture[]::new));
    }
}
