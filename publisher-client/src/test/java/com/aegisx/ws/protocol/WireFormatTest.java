package com.aegisx.ws.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void aPlainMessageRoundTripsWithChannelAndTimestampAdded() {
        String payload = WireFormat.encode(Json.parseObject("{\"type\":\"hello\"}"), "news", null);
        WireFormat.Delivery delivery = WireFormat.decode(payload);
        assertEquals("hello", delivery.message().path("type").asText());
        assertEquals("news", delivery.message().path("channel").asText());
        assertTrue(delivery.message().path("timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertNull(delivery.excludeConnection());
    }

    @Test
    void thePublishersOwnChannelAndTimestampAreKept() {
        ObjectNode message = Json.parseObject("{\"type\":\"x\",\"channel\":\"mine\",\"timestamp\":\"2024-01-07T10:30:00.000Z\"}");
        WireFormat.Delivery delivery = WireFormat.decode(WireFormat.encode(message, "news", null));
        assertEquals("mine", delivery.message().path("channel").asText());
        assertEquals("2024-01-07T10:30:00.000Z", delivery.message().path("timestamp").asText());
    }

    @Test
    void excludeTravelsInTheEnvelope() {
        String payload = WireFormat.encode(Json.parseObject("{\"type\":\"x\"}"), "news", "ws_n1_abc");
        assertTrue(payload.startsWith("{\"__ws\":"));
        WireFormat.Delivery delivery = WireFormat.decode(payload);
        assertEquals("ws_n1_abc", delivery.excludeConnection());
        assertEquals("x", delivery.message().path("type").asText());
    }

    @Test
    void rawRedisCliPayloadsAreMessagesAsTheyAre() {
        WireFormat.Delivery delivery = WireFormat.decode("{\"type\":\"raw\",\"data\":{\"v\":1}}");
        assertEquals(1, delivery.message().path("data").path("v").asInt());
    }

    @Test
    void malformedPayloadsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> WireFormat.decode("not json"));
        assertThrows(IllegalArgumentException.class, () -> WireFormat.decode("[1]"));
        assertThrows(IllegalArgumentException.class, () -> WireFormat.decode("{\"__ws\":{},\"message\":3}"));
        assertThrows(IllegalArgumentException.class, () -> WireFormat.decode("[".repeat(100) + "]".repeat(100)));
    }

    @Test
    void timestampsAlwaysHaveThreeFractionDigits() {
        assertEquals("2024-01-07T10:30:00.000Z", Timestamps.format(Instant.parse("2024-01-07T10:30:00Z")));
        assertEquals("2024-01-07T10:30:00.120Z", Timestamps.format(Instant.parse("2024-01-07T10:30:00.12Z")));
        assertEquals("2024-01-07T10:30:00.123Z", Timestamps.format(Instant.parse("2024-01-07T10:30:00.123456789Z")));
    }
}
