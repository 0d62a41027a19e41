package com.aegisx.ws.server.reports;

import com.aegisx.ws.client.reports.ReportChannels;
import com.aegisx.ws.client.reports.ReportIds;
import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.LocalConnection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code subscribe_template} on the progress route: subscribes the socket to
 * {@code reports:data:<templateId>} (CHANNEL_RULES and WEBSOCKET_MAX_SUBSCRIPTIONS apply, as for a plain {@code subscribe}); it
 * then receives that template's {@code data_update}s as published, without interval or filter
 * (those belong to the stream route). Answered with {@code subscribed} carrying the channel and
 * the template id.
 */
final class TemplateSubscription {

    private TemplateSubscription() {
    }

    static void handle(ClientProtocol protocol, LocalConnection connection, ObjectNode message, JsonNode id) {
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
        // The same path as a plain subscribe: channel rules and WEBSOCKET_MAX_SUBSCRIPTIONS.
        protocol.subscribeForClient(connection, channel, id, reply -> reply.put("templateId", templateId));
    }
}
