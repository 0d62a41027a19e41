package com.aegisx.ws.client.reports;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** One data point as kept in a template's Redis Stream: its entry id and the point object. */
public record StoredPoint(String streamId, ObjectNode point) {
}
