package com.aegisx.ws.server.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.aegisx.ws.protocol.Json;

/** A place in a channel's history: {@code {"offset":N,"epoch":"E"}} on the wire. */
public record Position(long offset, String epoch) {

    /** Epochs are digits (Redis TIME); anything else a client sends is refused, with room to change. */
    private static final int MAX_EPOCH_LENGTH = 64;

    /** Reads a client's position; null when absent; IllegalArgumentException when malformed. */
    public static Position parse(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        JsonNode offset = node.get("offset");
        JsonNode epoch = node.get("epoch");
        if (!node.isObject() || offset == null || !offset.canConvertToLong() || !offset.isIntegralNumber()
                || offset.asLong() < 0 || epoch == null || !epoch.isTextual()
                || epoch.asText().length() > MAX_EPOCH_LENGTH) {
            throw new IllegalArgumentException("must be {\"offset\": a whole number >= 0, \"epoch\": a string}");
        }
        return new Position(offset.asLong(), epoch.asText());
    }

    public ObjectNode toJson() {
        ObjectNode out = Json.object();
        out.put("offset", offset);
        out.put("epoch", epoch);
        return out;
    }
}
