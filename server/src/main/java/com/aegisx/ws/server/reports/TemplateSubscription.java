package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportIds;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.Replies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code subscribe_template} on the progress route: subscribes the socket to
 * {@code reports:data:<templateId>} (CHANNEL_RULES and the subscription limit apply, as for a plain {@code subscribe}); it
 * then receives that template's {@code data_update}s as published, without interval or filter
 * (those belong to the stream route). Answered with {@code subscribed} carrying the channel and
 * the template id.
 */
final class TemplateSubscription {

    private TemplateSubscription() {
    }

    static void handle(SubscriptionPolicy subscriptions, LocalConnection connection, ObjectNode message,
                       JsonNode id) {
        JsonNode templateNode = message.get("templateId");
        if (templateNode == null || templateNode.isNull()) {
            ClientProtocol.reject(connection, ErrorCodes.MISSING_FIELD, "templateId is required", id);
            return;
        }
        String templateId = templateNode.isTextual() ? templateNode.asText() : null;
        if (!ReportIds.isValid(templateId)) {
            ClientProtocol.reject(connection, ErrorCodes.INVALID_TEMPLATE_ID,
                    "templateId must be 1-" + ReportIds.MAX_LENGTH + " letters, digits or _-.@+", id);
            return;
        }
        String channel = ReportChannels.data(templateId);
        // A client's request like any subscribe: CHANNEL_RULES and the per-socket subscription limit.
        subscriptions.subscribe(connection, channel, SubscriptionPolicy.Origin.CLIENT).whenComplete((outcome, error) -> {
            if (error != null) {
                ClientProtocol.reject(connection, ErrorCodes.UNAVAILABLE, "Subscription failed, try again", id);
            } else if (outcome.refused()) {
                ClientProtocol.reject(connection, outcome.code(), outcome.message(), id);
            } else {
                ObjectNode reply = Replies.subscribed(channel, id);
                reply.put("templateId", templateId);
                connection.send(reply);
            }
        });
    }
}
