package com.aegisx.ws.server.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WsFrameCodecTest {

    private static final byte[] HELLO = "Hello".getBytes(StandardCharsets.UTF_8);

    @Test
    void encodesTheUnmaskedTextExampleFromRfc6455() {
        assertArrayEquals(bytes(0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f),
                WsFrameCodec.encode(WsFrame.TEXT, true, 0, null, HELLO));
    }

    @Test
    void encodesTheMaskedTextExampleFromRfc6455() {
        byte[] mask = bytes(0x37, 0xfa, 0x21, 0x3d);
        assertArrayEquals(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58),
                WsFrameCodec.encode(WsFrame.TEXT, true, 0, mask, HELLO));
    }

    @Test
    void decodesTheMaskedExampleBackToPlainText() throws IOException {
        WsFrame frame = decode(bytes(0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58));
        assertEquals(new WsFrame(WsFrame.TEXT, true, 0, true, HELLO), frame);
        assertEquals("Hello", frame.text());
    }

    @Test
    void usesSixteenAndSixtyFourBitLengthsAboveTheirThresholds() {
        byte[] medium = WsFrameCodec.encode(WsFrame.BINARY, true, 0, null, new byte[256]);
        assertArrayEquals(bytes(0x82, 0x7E, 0x01, 0x00), Arrays.copyOf(medium, 4));
        byte[] large = WsFrameCodec.encode(WsFrame.BINARY, true, 0, null, new byte[65536]);
        assertArrayEquals(bytes(0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0), Arrays.copyOf(large, 10));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 70000})
    void roundTripsEveryLengthEncodingMaskedAndUnmasked(int length) throws IOException {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = (byte) (i * 31);
        }
        byte[] mask = bytes(1, 2, 3, 4);
        assertEquals(new WsFrame(WsFrame.BINARY, true, 0, true, payload),
                decode(WsFrameCodec.encode(WsFrame.BINARY, true, 0, mask, payload)));
        assertEquals(new WsFrame(WsFrame.BINARY, true, 0, false, payload),
                decode(WsFrameCodec.encode(WsFrame.BINARY, true, 0, null, payload)));
    }

    @Test
    void carriesFinReservedBitsAndOpcodeInTheFirstByte() throws IOException {
        byte[] encoded = WsFrameCodec.encode(WsFrame.CONTINUATION, false, 0b101, null, HELLO);
        assertEquals(0x50, encoded[0] & 0xFF);
        WsFrame frame = decode(encoded);
        assertFalse(frame.fin());
        assertEquals(0b101, frame.rsv());
        assertEquals(WsFrame.CONTINUATION, frame.opcode());
    }

    @Test
    void closeFramesCarryCodeAndReason() throws IOException {
        WsFrame frame = decode(WsFrameCodec.encode(WsFrame.CLOSE, true, 0, null,
                WsFrameCodec.closePayload(4008, "too slow é")));
        assertTrue(frame.isClose());
        assertEquals(4008, frame.closeCode());
        assertEquals("too slow é", frame.closeReason());
    }

    @Test
    void anEmptyCloseFrameReportsNoStatusCode() throws IOException {
        WsFrame frame = decode(WsFrameCodec.encode(WsFrame.CLOSE, true, 0, null, new byte[0]));
        assertEquals(WsFrame.NO_STATUS_CODE, frame.closeCode());
        assertEquals("", frame.closeReason());
    }

    @Test
    void keepsInvalidUtf8PayloadBytesAsTheyAre() throws IOException {
        byte[] invalid = bytes(0xC3, 0x28, 0xFF);
        assertArrayEquals(invalid, decode(WsFrameCodec.encode(WsFrame.TEXT, true, 0, null, invalid)).payload());
    }

    @Test
    void aTruncatedFrameIsAnEndOfStream() {
        byte[] encoded = WsFrameCodec.encode(WsFrame.TEXT, true, 0, null, HELLO);
        assertThrows(EOFException.class, () -> decode(Arrays.copyOf(encoded, encoded.length - 1)));
        assertThrows(EOFException.class, () -> decode(new byte[0]));
    }

    @Test
    void refusesALengthAboveTheLimitInsteadOfAllocatingIt() {
        byte[] header = bytes(0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
        IOException e = assertThrows(IOException.class,
                () -> WsFrameCodec.decode(new ByteArrayInputStream(header), 1024));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void refusesFieldsThatDoNotFitTheirBits() {
        assertThrows(IllegalArgumentException.class, () -> WsFrameCodec.encode(16, true, 0, null, HELLO));
        assertThrows(IllegalArgumentException.class, () -> WsFrameCodec.encode(1, true, 8, null, HELLO));
        assertThrows(IllegalArgumentException.class, () -> WsFrameCodec.encode(1, true, 0, new byte[3], HELLO));
    }

    private static WsFrame decode(byte[] encoded) throws IOException {
        return WsFrameCodec.decode(new ByteArrayInputStream(encoded));
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
