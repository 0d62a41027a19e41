package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportIds;
import com.aegisx.ws.client.reports.ReportStore;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.auth.ChannelAccessPolicy;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.Conflation;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.aegisx.ws.server.core.RouteHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code WS /api/v1/reports/progress/:reportId}: the live status of one report.
 *
 * <p>On connect the socket is subscribed to {@code reports:progress:<reportId>} (before
 * {@code welcome}) and gets the stored {@code report_status} right after it (plus
 * {@code report_completed} for a completed report). What the socket is sent about its report, in
 * which order, and how a watcher that falls behind is conflated: {@link ProgressWatch}.
 *
 * <p>Client messages: {@code request_update}, {@code cancel_report}, {@code subscribe_template}
 * (README, "Report routes"). An unknown report gets {@code report_not_found} and close 4004; a
 * malformed id {@code invalid_report_id} and close 1008.
 */
final class ProgressRoute implements RouteHandler {

    private static final Logger log = LoggerFactory.getLogger(ProgressRoute.class);
    private static final String ATTRIBUTE = "reports.progress";

    private final SubscriptionPolicy subscriptions;
    private final ReportStore store;
    private final Executor callbacks;
    private final ChannelAccessPolicy policy;
    private final ClientProtocol protocol;
    private final Conflation conflation;

    ProgressRoute(NodeServices services) {
        this.subscriptions = services.subscriptions();
        this.callbacks = services.callbacks();
        this.store = new ReportStore(services.redis(), services.config().keys(), services.publisher().publishMode());
        this.policy = services.config().auth().channelPolicy();
        this.protocol = services.protocol();
        this.conflation = services.conflation();
    }

    @Override
    public ObjectNode rejectPath(Map<String, String> pathParameters) {
        if (!ReportIds.isValid(pathParameters.get("reportId"))) {
            return Replies.error(ErrorCodes.INVALID_REPORT_ID,
                    "reportId must be 1-" + ReportIds.MAX_LENGTH + " letters, digits or _-.@+", null);
        }
        return null;
    }

    @Override
    public CompletableFuture<Void> onRegistered(LocalConnection connection, Map<String, String> pathParameters) {
        String reportId = pathParameters.get("reportId");
        ProgressWatch watch = new ProgressWatch(reportId, conflation.on(ReportChannels.progress(reportId)));
        connection.attributes().put(ATTRIBUTE, watch);
        return store.read(watch.reportId).thenComposeAsync(state -> {
            if (state == null) {
                watch.refusal = new Refusal(ErrorCodes.REPORT_NOT_FOUND,
                        "Report " + watch.reportId + " is unknown or has expired", CloseCodes.NOT_FOUND, "report not found");
                return CompletableFuture.completedFuture(null);
            }
            AccessDecision decision = ReportAccess.canWatch(policy, connection.identity(), state);
            if (!decision.allowed()) {
                log.info("Refused report watch connectionId={} userId={} reportId={} code={}",
                        connection.id(), connection.userId(), watch.reportId, decision.code());
                watch.refusal = new Refusal(decision.code(), decision.message(), CloseCodes.POLICY_VIOLATION,
                        decision.code());
                return CompletableFuture.completedFuture(null);
            }
            connection.interceptor(watch::live);
            // Access was decided above (owner, admin, or CHANNEL_RULES): a trusted subscription.
            return subscriptions.subscribeInChain(connection, ReportChannels.progress(watch.reportId),
                    SubscriptionPolicy.Origin.SERVER).thenApply(added -> null);
        }, callbacks);
    }

    @Override
    public void afterWelcome(LocalConnection connection, Map<String, String> pathParameters) {
        ProgressWatch watch = watch(connection);
        if (watch.refusal != null) {
            watch.refusal.apply(connection);
            return;
        }
        // Read again now that the subscription is confirmed: nothing newer can be missed in between.
        store.read(watch.reportId).whenCompleteAsync((state, error) -> {
            if (error != null) {
                connection.send(Replies.error(ErrorCodes.UNAVAILABLE, "Could not read the report state", null));
            } else if (state == null) {
                connection.send(Replies.error(ErrorCodes.REPORT_NOT_FOUND,
                        "Report " + watch.reportId + " is unknown or has expired", null));
            } else {
                watch.current(connection, state);
            }
        }, callbacks);
    }

    @Override
    public boolean onMessage(LocalConnection connection, String type, ObjectNode message, JsonNode id) {
        ProgressWatch watch = watch(connection);
        if (watch == null || watch.refusal != null) {
            return false;
        }
        switch (type) {
            case "request_update" -> requestUpdate(connection, watch, id);
            case "cancel_report" -> cancel(connection, watch, id);
            case "subscribe_template" -> TemplateSubscription.handle(protocol, connection, message, id);
            default -> {
                return false;
            }
        }
        return true;
    }

    private void requestUpdate(LocalConnection connection, ProgressWatch watch, JsonNode id) {
        store.read(watch.reportId).whenCompleteAsync((state, error) -> {
            if (error != null) {
                ClientProtocol.reject(connection, ErrorCodes.UNAVAILABLE, "Could not read the report state", id);
            } else if (state == null) {
                ClientProtocol.reject(connection, ErrorCodes.REPORT_NOT_FOUND,
                        "Report " + watch.reportId + " is unknown or has expired", id);
            } else {
                watch.answer(connection, state, id);
            }
        }, callbacks);
    }

    private void cancel(LocalConnection connection, ProgressWatch watch, JsonNode id) {
        store.read(watch.reportId).thenComposeAsync(state -> {
            if (state == null) {
                ClientProtocol.reject(connection, ErrorCodes.REPORT_NOT_FOUND,
                        "Report " + watch.reportId + " is unknown or has expired", id);
                return CompletableFuture.completedFuture(null);
            }
            AccessDecision decision = ReportAccess.canCancel(policy, connection.identity(), state);
            if (!decision.allowed()) {
                log.info("Refused cancel_report connectionId={} userId={} reportId={} code={}",
                        connection.id(), connection.userId(), watch.reportId, decision.code());
                ClientProtocol.reject(connection, decision.code(), decision.message(), id);
                return CompletableFuture.completedFuture(null);
            }
            String requester = connection.userId() == null ? "anonymous" : connection.userId();
            return store.requestCancel(watch.reportId, requester).thenAcceptAsync(outcome -> {
                if (outcome.code() == ReportStore.NOT_FOUND) {
                    ClientProtocol.reject(connection, ErrorCodes.REPORT_NOT_FOUND,
                            "Report " + watch.reportId + " is unknown or has expired", id);
                } else if (outcome.code() == ReportStore.FINISHED) {
                    ClientProtocol.reject(connection, ErrorCodes.REPORT_FINISHED,
                            "Report " + watch.reportId + " already completed, failed or was cancelled", id);
                } else {
                    log.info("Cancel requested connectionId={} userId={} reportId={} producerListening={}",
                            connection.id(), connection.userId(), watch.reportId, outcome.producersNotified() > 0);
                    ObjectNode ack = Replies.message("cancel_requested", id);
                    ObjectNode data = ack.putObject("data");
                    data.put("reportId", watch.reportId);
                    data.put("requestedBy", outcome.recorded() ? requester : null);
                    data.put("alreadyRequested", !outcome.recorded());
                    data.put("producerListening", outcome.producersNotified() > 0);
                    connection.send(Replies.stamped(ack));
                }
            }, callbacks);
        }, callbacks).exceptionally(error -> {
            log.warn("cancel_report failed connectionId={} reportId={}: {}", connection.id(), watch.reportId,
                    error.toString());
            ClientProtocol.reject(connection, ErrorCodes.UNAVAILABLE, "Could not record the cancel request, try again", id);
            return null;
        });
    }

    private static ProgressWatch watch(LocalConnection connection) {
        return (ProgressWatch) connection.attributes().get(ATTRIBUTE);
    }
}
