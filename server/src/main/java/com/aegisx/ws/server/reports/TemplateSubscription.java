package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportIds;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.auth.AccessDecision;
import com.aegisx.ws.server.auth.ChannelAccessPolicy;
import com.aegisx.ws.server.websocket.ClientProtocol;
import com.aegisx.ws.server.websocket.ConnectionHub;
import com.aegisx.ws.server.websocket.LocalConnection;
import com.aegisx.ws.server.websocket.Replies;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code subscribe_template} on the progress route: subscribes the socket to
 * {@code reports:data:<templateId>} (CHANNEL_RULES apply, as for a plain {@code subscribe}); it
 * then receives that template's {@code data_update}s as published, without interval or filter
 * (those belong to the stream route). Answered with {@code subscribed} carrying the channel and
 * the template id.
 */
final class TemplateSubscription {

    private TemplateSubscription() {
    }

    static void handle(ConnectionHub hub, ChannelAccessPolicy policy, LocalConnection connection,
                       ObjectNode message, JsonNode id) {
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
        AccessDecision decision = policy.canSubscribe(connection.identity(), channel);
        if (!decision.allowed()) {
            ClientProtocol.reject(connection, decision.code(), decision.message(), id);
            return;
        }
        connection.serially(() -> hub.subscribe(connection, channel)).whenComplete((added, error) -> {
            if (error != null) {
                ClientProtocol.reject(connection, ErrorCodes.UNAVAILABLE, "Subscription failed, try again", id);
            } else {
                ObjectNode reply = Replies.subscribed(channel, id);
                reply.put("templateId", templateId);
                connection.send(reply);
            }
        });
    }
}
