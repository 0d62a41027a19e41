package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.protocol.ChannelNames;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.RouteHandler;
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

    private final SubscriptionPolicy subscriptions;

    NotificationsRoute(NodeServices services) {
        this.subscriptions = services.subscriptions();
    }

    @Override
    public CompletableFuture<Void> onRegistered(LocalConnection connection, Map<String, String> pathParameters) {
        List<String> channels = new ArrayList<>(SHARED_CHANNELS);
        // A user id that cannot be part of a channel name (e.g. with '/') simply has no user channel.
        if (connection.userId() != null && ChannelNames.isValid(ReportChannels.userReports(connection.userId()))) {
            channels.add(ReportChannels.userReports(connection.userId()));
        }
        List<CompletableFuture<?>> added = new ArrayList<>();
        for (String channel : channels) {
            // A channel the rules refuse is left out (SubscriptionPolicy logs it), not a failure.
            added.add(subscriptions.subscribeInChain(connection, channel, SubscriptionPolicy.Origin.ROUTE));
        }
        return CompletableFuture.allOf(added.toArray(CompletableFuture[]::new));
    }
}
