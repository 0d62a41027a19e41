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

    @Test
    void encodedPayloadsPutChannelAndTimestampFirstSoNodesCanForwardThemUnparsed() {
        String broadcast = WireFormat.encode(Json.parseObject("{\"type\":\"x\",\"n\":1}"), "news", null);
        assertTrue(broadcast.startsWith("{\"channel\":\"news\",\"timestamp\":\""), broadcast);
        int at = WireFormat.stampedTimestampAt(broadcast, "news");
        assertEquals(31, at);
        assertEquals(WireFormat.decode(broadcast).message().path("timestamp").asText(),
                broadcast.substring(at, at + WireFormat.TIMESTAMP_LENGTH));
        // forwarding it as it is gives what decode + stamp + encode would give
        assertEquals(WireFormat.decode(broadcast).message(),
                Json.parseObject(broadcast));
        assertEquals(Json.write(WireFormat.stamp(WireFormat.decode(broadcast).message(), "news")), broadcast);

        String personal = WireFormat.encode(Json.parseObject("{\"type\":\"x\",\"channel\":\"own\"}"), null, null);
        assertTrue(personal.startsWith("{\"timestamp\":\""), personal);
        assertEquals(14, WireFormat.stampedTimestampAt(personal, null));
        assertEquals("own", Json.parseObject(personal).path("channel").asText(), "a user message keeps its own channel");
    }

    @Test
    void onlyTheExactStampedPrefixSkipsTheParse() {
        String ts = "2024-01-07T10:30:00.000Z";
        // raw redis-cli payloads, other orders, envelopes, and another channel take the full path
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"type\":\"raw\"}", "news"));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"type\":\"raw\"}", null));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":\"" + ts + "\",\"channel\":\"news\"}", "news"));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"channel\":\"other\",\"timestamp\":\"" + ts + "\"}", "news"));
        assertEquals(-1, WireFormat.stampedTimestampAt(
                WireFormat.encode(Json.parseObject("{\"type\":\"x\"}"), "news", "ws_n1_abc"), "news"));
        // a broadcast payload on a user topic, and the reverse
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"channel\":\"news\",\"timestamp\":\"" + ts + "\"}", null));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":\"" + ts + "\"}", "news"));
        // timestamps not in the wire format (the node would keep them, but must parse to be sure)
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":\"2024-01-07T10:30:00Z\",\"a\":1}", null));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":\"2024-01-07T10:30:00.000Zx\",\"a\":1}", null));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":1704623400000,\"a\":1}", null));
        // truncated
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":\"" + ts + "\",\"a\":1", null));
        assertEquals(-1, WireFormat.stampedTimestampAt("{\"timestamp\":\"" + ts, null));
        assertEquals(14, WireFormat.stampedTimestampAt("{\"timestamp\":\"" + ts + "\"}", null));
    }

    @Test
    void thePublishersOwnValuesStayFirstToo() {
        ObjectNode message = Json.parseObject("{\"type\":\"x\",\"timestamp\":\"2024-01-07T10:30:00.000Z\",\"channel\":\"news\"}");
        String payload = WireFormat.encode(message, "news", null);
        assertEquals("{\"channel\":\"news\",\"timestamp\":\"2024-01-07T10:30:00.000Z\",\"type\":\"x\"}", payload);
        assertEquals(31, WireFormat.stampedTimestampAt(payload, "news"));
        // the caller's node is not changed
        assertEquals("{\"type\":\"x\",\"timestamp\":\"2024-01-07T10:30:00.000Z\",\"channel\":\"news\"}", Json.write(message));
    }
}
