package com.aegisx.ws.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RawStampTest {

    private static final String AWKWARD =
            "{\"type\":\"tick\",\"at\":1795960460393.074,\"v\":12345678.5,\"big\":123456789012345678901234567890.12345,\"e\":1e5}";

    @Test
    void numbersKeepTheirTextAndTheStampGoesFirst() {
        RawStamp.Stamped out = RawStamp.stamp(AWKWARD, "ticks");
        assertTrue(out.text().startsWith("{\"channel\":\"ticks\",\"timestamp\":\""), out.text());
        assertTrue(out.text().endsWith("," + AWKWARD.substring(1)), out.text());
        assertNull(out.excludeConnection());
        assertNull(out.timestamp());
        // What the node forwards unparsed from now on: the stamped text is recognised as final.
        assertTrue(WireFormat.stampedTimestampAt(out.text(), "ticks") > 0);
        Json.parseObject(out.text());
    }

    @Test
    void thePublishersOwnChannelAndTimestampStay() {
        String own = "{\"timestamp\":\"2024-01-07T10:30:00.000Z\",\"channel\":\"mine\",\"n\":1.50}";
        RawStamp.Stamped out = RawStamp.stamp(own, "ticks");
        assertEquals(own, out.text());
        assertEquals("2024-01-07T10:30:00.000Z", out.timestamp());
    }

    @Test
    void userMessagesGetOnlyATimestampAndEmptyObjectsStayValid() {
        assertTrue(RawStamp.stamp("{\"n\":2.0}", null).text().matches("\\{\"timestamp\":\"[^\"]{24}\",\"n\":2\\.0}"));
        assertTrue(RawStamp.stamp(" { } ", "c").text().matches("\\{\"channel\":\"c\",\"timestamp\":\"[^\"]{24}\" } "));
    }

    @Test
    void anEnvelopeGivesItsMessageStampedAndItsExclude() {
        String payload = "{\"__ws\":{\"exclude\":\"ws_n1_abc\",\"later\":[1]},\"message\":{\"v\":0.10}}";
        RawStamp.Stamped out = RawStamp.stamp(payload, "news");
        assertEquals("ws_n1_abc", out.excludeConnection());
        assertTrue(out.text().endsWith(",\"v\":0.10}"), out.text());
        assertTrue(out.text().startsWith("{\"channel\":\"news\""), out.text());
    }

    @Test
    void publisherTextIsStampedWithoutReencodingAndCarriesExcludeInAnEnvelope() {
        String payload = WireFormat.encodeText("{\"v\":12345678.5}", "news", "ws_n1_x");
        WireFormat.Delivery delivery = WireFormat.decode(payload);
        assertEquals("ws_n1_x", delivery.excludeConnection());
        assertTrue(payload.contains("\"v\":12345678.5}"), payload);
    }

    @Test
    void aChannelNeedingEscapesIsQuoted() {
        assertTrue(RawStamp.stamp("{}", "a\"b").text().startsWith("{\"channel\":\"a\\\"b\""));
    }

    @Test
    void malformedPayloadsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RawStamp.stamp("not json", "c"));
        assertThrows(IllegalArgumentException.class, () -> RawStamp.stamp("[1]", "c"));
        assertThrows(IllegalArgumentException.class, () -> RawStamp.stamp("{\"a\":1} {}", "c"));
        assertThrows(IllegalArgumentException.class, () -> RawStamp.stamp("{\"a\":1", "c"));
        assertThrows(IllegalArgumentException.class, () -> RawStamp.stamp("{\"__ws\":{},\"message\":3}", "c"));
        assertThrows(IllegalArgumentException.class, () -> RawStamp.stamp("[".repeat(100) + "]".repeat(100), "c"));
        assertThrows(IllegalArgumentException.class,
                () -> RawStamp.stamp("{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}", "c"));
    }
}
