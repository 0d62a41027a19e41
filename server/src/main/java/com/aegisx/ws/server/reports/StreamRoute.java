package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportIds;
import com.aegisx.ws.client.reports.ReportMessages;
import com.aegisx.ws.client.reports.ReportStore;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.aegisx.ws.server.core.RouteHandler;
import com.aegisx.ws.server.metrics.InternalErrors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code WS /api/v1/reports/stream/:templateId}: {@code initial_data} from the template's stored
 * points, then {@code data_update} per new point, through the socket's {@code apply_filter} and
 * {@code update_interval} (semantics in {@link StreamSession}). Subscribing to
 * {@code reports:data:<templateId>} follows CHANNEL_RULES; a refused socket gets the refusal after
 * {@code welcome} and close 1008.
 */
final class StreamRoute implements RouteHandler {

    /** How many stored points (newest first, before filtering) an initial_data is built from. */
    static final int INITIAL_POINTS = 100;
    private static final String ATTRIBUTE = "reports.stream";
    private static final String REFUSAL = "reports.stream.refusal";

    private final SubscriptionPolicy subscriptions;
    private final ReportStore store;
    private final ScheduledExecutorService scheduler;
    private final Executor callbacks;

    StreamRoute(NodeServices services) {
        this.subscriptions = services.subscriptions();
        this.store = new ReportStore(services.redis(), services.config().keys(), services.publisher().publishMode());
        this.scheduler = services.scheduler();
        this.callbacks = services.callbacks();
    }

    @Override
    public ObjectNode rejectPath(Map<String, String> pathParameters) {
        if (!ReportIds.isValid(pathParameters.get("templateId"))) {
            return Replies.error(ErrorCodes.INVALID_TEMPLATE_ID,
                    "templateId must be 1-" + ReportIds.MAX_LENGTH + " letters, digits or _-.@+", null);
        }
        return null;
    }

    @Override
    public CompletableFuture<Void> onRegistered(LocalConnection connection, Map<String, String> pathParameters) {
        String templateId = pathParameters.get("templateId");
        String channel = ReportChannels.data(templateId);
        AccessDecision decision = subscriptions.access(connection, channel);
        if (!decision.allowed()) {
            connection.attributes().put(REFUSAL, new Refusal(decision.code(), decision.message(),
                    CloseCodes.POLICY_VIOLATION, decision.code()));
            return CompletableFuture.completedFuture(null);
        }
        StreamSession session = new StreamSession(templateId, sink(connection), System::currentTimeMillis);
        connection.attributes().put(ATTRIBUTE, session);
        connection.interceptor((conn, ch, message, frame, send) -> {
            if (channel.equals(ch) && ReportMessages.DATA_UPDATE.equals(message.path("type").asText())) {
                session.onLive(message, frame);
                return true;
            }
            return false;
        });
        return subscriptions.subscribeInChain(connection, channel, SubscriptionPolicy.Origin.ROUTE)
                .thenApply(added -> null);
    }

    @Override
    public void afterWelcome(LocalConnection connection, Map<String, String> pathParameters) {
        Refusal refusal = (Refusal) connection.attributes().get(REFUSAL);
        if (refusal != null) {
            refusal.apply(connection);
            return;
        }
        snapshot(connection, session(connection), pathParameters.get("templateId"));
    }

    @Override
    public boolean onMessage(LocalConnection connection, String type, ObjectNode message, JsonNode id) {
        StreamSession session = session(connection);
        if (session == null) {
            return false;
        }
        switch (type) {
            case "update_interval" -> updateInterval(connection, session, message, id);
            case "apply_filter" -> applyFilter(connection, session, message, id);
            default -> {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onClose(LocalConnection connection) {
        StreamSession session = session(connection);
        if (session != null) {
            session.close();
        }
    }

    private void updateInterval(LocalConnection connection, StreamSession session, ObjectNode message, JsonNode id) {
        JsonNode interval = message.get("interval");
        if (interval == null || interval.isNull()) {
            ClientProtocol.reject(connection, ErrorCodes.MISSING_FIELD, "interval (milliseconds) is required", id);
            return;
        }
        if (!interval.canConvertToLong() || !interval.isIntegralNumber()) {
            ClientProtocol.reject(connection, ErrorCodes.INVALID_INTERVAL, "interval must be an integer number of milliseconds", id);
            return;
        }
        String problem = StreamSession.intervalProblem(interval.asLong());
        if (problem != null) {
            ClientProtocol.reject(connection, ErrorCodes.INVALID_INTERVAL, problem, id);
            return;
        }
        session.setInterval(interval.asLong());
        ObjectNode ack = Replies.message("interval_updated", id);
        ack.putObject("data").put("interval", interval.asLong());
        connection.send(Replies.stamped(ack));
    }

    private void applyFilter(LocalConnection connection, StreamSession session, ObjectNode message, JsonNode id) {
        PointFilter filter;
        try {
            filter = PointFilter.parse(message.get("filter"));
        } catch (IllegalArgumentException e) {
            ClientProtocol.reject(connection, ErrorCodes.INVALID_FILTER, e.getMessage(), id);
            return;
        }
        // Ack before the new initial_data, both ordered behind anything already queued for the socket.
        connection.serially(() -> {
            session.beginSnapshot(filter);
            ObjectNode ack = Replies.message("filter_applied", id);
            ack.putObject("data").set("filter", filter.toJson());
            connection.send(Replies.stamped(ack));
            return snapshot(connection, session, session.templateId());
        }).whenComplete(InternalErrors.of("apply_filter"));
    }

    private CompletableFuture<Void> snapshot(LocalConnection connection, StreamSession session, String templateId) {
        return store.recentPoints(templateId, INITIAL_POINTS).handleAsync((points, error) -> {
            if (error != null) {
                connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Could not read the stored points", null));
                session.snapshotFailed();
            } else {
                session.snapshot(points);
            }
            return null;
        }, callbacks);
    }

    private StreamSession.Sink sink(LocalConnection connection) {
        return new StreamSession.Sink() {
            @Override
            public void send(ObjectNode message, ByteBuffer frame) {
                if (frame != null) {
                    connection.send(frame);
                } else {
                    connection.send(message.has("timestamp") ? message : Replies.stamped(message));
                }
            }

            @Override
            public Future<?> schedule(long delayMillis, Runnable task) {
                return scheduler.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            }
        };
    }

    private static StreamSession session(LocalConnection connection) {
        return (StreamSession) connection.attributes().get(ATTRIBUTE);
    }
}
