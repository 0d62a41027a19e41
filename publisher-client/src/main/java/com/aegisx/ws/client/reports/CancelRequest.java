package com.aegisx.ws.client.reports;

import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client's request to cancel a report, as recorded in the report's state and announced to its
 * producer.
 *
 * @param requestedBy the user id of the requester ({@code anonymous} for an ownerless report watched anonymously)
 * @param requestedAt when the node recorded it (ISO-8601, three fraction digits)
 */
public record CancelRequest(String reportId, String requestedBy, String requestedAt) {

    String encode() {
        ObjectNode out = Json.object();
        out.put("reportId", reportId);
        out.put("requestedBy", requestedBy);
        out.put("requestedAt", requestedAt);
        return Json.write(out);
    }

    static CancelRequest decode(String payload) {
        ObjectNode node = Json.parseObject(payload);
        return new CancelRequest(node.path("reportId").asText(null), node.path("requestedBy").asText(null),
                node.path("requestedAt").asText(null));
    }
}
