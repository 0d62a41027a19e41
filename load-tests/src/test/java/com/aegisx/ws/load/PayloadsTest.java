package com.aegisx.ws.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadsTest {

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsSequenceAndTimestampOfADeliveredFrame() {
        // as a node delivers it: the published members in order, then channel and timestamp
        String delivered = Payloads.build(12345, 1_700_000_000_123_456L, "xx").replace("}",
                ",\"channel\":\"bench:fanout\",\"timestamp\":\"2024-01-07T10:30:00.000Z\"}");
        ByteBuffer frame = utf8(delivered);
        assertTrue(Payloads.isBench(frame));
        assertEquals(12345, Payloads.seq(frame));
        assertEquals(1_700_000_000_123_456L, Payloads.sentMicros(frame));
        assertEquals(0, frame.position(), "reading must not consume the buffer");
    }

    @Test
    void controlFramesAreNotBenchmarkFrames() {
        ByteBuffer welcome = utf8("{\"type\":\"welcome\",\"data\":{\"connectionId\":\"ws_x\"},\"timestamp\":\"t\"}");
        assertFalse(Payloads.isBench(welcome));
        assertEquals(-1, Payloads.seq(welcome));
        assertEquals(-1, Payloads.sentMicros(welcome));
    }

    @Test
    void readsFromASliceWithAnOffset() {
        byte[] bytes = ("garbage" + Payloads.build(7, 42, "")).getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = ByteBuffer.wrap(bytes, 7, bytes.length - 7);
        assertEquals(7, Payloads.seq(frame));
        assertEquals(42, Payloads.sentMicros(frame));
    }

    @Test
    void paddingReachesTheRequestedSize() {
        String payload = Payloads.build(1_000_000, 1_700_000_000_000_000L, Payloads.padFor(100));
        assertEquals(100, payload.length());
    }
}
