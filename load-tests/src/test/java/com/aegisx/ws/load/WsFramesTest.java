package com.aegisx.ws.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WsFramesTest {

    private record Seen(byte opcode, boolean fin, String text) {
    }

    /** An unmasked server frame. */
    private static byte[] serverFrame(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(126);
            out.write(payload.length >> 8);
            out.write(payload.length & 0xFF);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >> shift) & 0xFF);
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<Seen> readAll(ByteBuffer buffer, List<Seen> into) {
        WsFrames.read(buffer, 1 << 20, (op, fin, payload) ->
                into.add(new Seen(op, fin, StandardCharsets.UTF_8.decode(payload.slice()).toString())));
        return into;
    }

    @Test
    void readsEveryCompleteFrameAndStopsAtTheIncompleteOne() {
        String big = "x".repeat(300); // 16-bit length
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(serverFrame(WsFrames.TEXT, true, utf8("{\"a\":1}")));
        stream.writeBytes(serverFrame(WsFrames.TEXT, true, utf8(big)));
        stream.writeBytes(serverFrame(WsFrames.PING, true, utf8("p")));
        byte[] last = serverFrame(WsFrames.TEXT, true, utf8("tail"));
        stream.write(last, 0, 3);
        ByteBuffer buffer = ByteBuffer.wrap(stream.toByteArray());

        List<Seen> seen = readAll(buffer, new ArrayList<>());

        assertEquals(List.of(new Seen(WsFrames.TEXT, true, "{\"a\":1}"), new Seen(WsFrames.TEXT, true, big),
                new Seen(WsFrames.PING, true, "p")), seen);
        assertEquals(3, buffer.remaining(), "the incomplete frame stays in the buffer");
        assertEquals(stream.size() - 3, buffer.position());
    }

    @Test
    void aFrameSplitAtEveryPossibleByteIsReadOnceWhole() {
        byte[] frame = serverFrame(WsFrames.TEXT, true, utf8("y".repeat(200)));
        for (int split = 0; split <= frame.length; split++) {
            ByteBuffer first = ByteBuffer.wrap(frame, 0, split);
            List<Seen> seen = readAll(first, new ArrayList<>());
            byte[] rest = new byte[frame.length];
            int kept = first.remaining();
            first.get(rest, 0, kept);
            assertEquals(split == frame.length ? 1 : 0, seen.size(), "split at " + split);
            if (seen.isEmpty()) {
                System.arraycopy(frame, split, rest, kept, frame.length - split);
                readAll(ByteBuffer.wrap(rest, 0, frame.length), seen);
                assertEquals(1, seen.size(), "split at " + split);
            }
            assertEquals("y".repeat(200), seen.get(0).text());
        }
    }

    @Test
    void readsASixtyFourBitLengthAndFragmentFlags() {
        byte[] payload = new byte[70_000];
        ByteBuffer buffer = ByteBuffer.wrap(serverFrame(WsFrames.TEXT, false, payload));
        List<Seen> seen = readAll(buffer, new ArrayList<>());
        assertEquals(1, seen.size());
        assertEquals(70_000, seen.get(0).text().length());
        assertEquals(false, seen.get(0).fin());
    }

    @Test
    void refusesMaskedAndOversizedServerFrames() {
        byte[] masked = {(byte) 0x81, (byte) 0x81, 1, 2, 3, 4, 5};
        assertThrows(IllegalStateException.class, () -> readAll(ByteBuffer.wrap(masked), new ArrayList<>()));
        byte[] huge = serverFrame(WsFrames.TEXT, true, new byte[2000]);
        assertThrows(IllegalStateException.class,
                () -> WsFrames.read(ByteBuffer.wrap(huge), 1000, (op, fin, p) -> { }));
    }

    @Test
    void clientFramesAreMaskedAndUnmaskToThePayload() {
        for (int length : new int[] {0, 5, 125, 126, 300, 70_000}) {
            byte[] payload = new byte[length];
            for (int i = 0; i < length; i++) {
                payload[i] = (byte) (i * 31);
            }
            ByteBuffer frame = WsFrames.clientFrame(WsFrames.TEXT, payload);
            assertEquals(0x81, frame.get(0) & 0xFF);
            assertTrue((frame.get(1) & 0x80) != 0, "mask bit");
            int lengthCode = frame.get(1) & 0x7F;
            int header = lengthCode < 126 ? 2 : lengthCode == 126 ? 4 : 10;
            long declared = lengthCode < 126 ? lengthCode
                    : lengthCode == 126 ? frame.getShort(2) & 0xFFFF : frame.getLong(2);
            assertEquals(length, declared);
            byte[] mask = new byte[4];
            frame.get(header, mask);
            byte[] unmasked = new byte[length];
            for (int i = 0; i < length; i++) {
                unmasked[i] = (byte) (frame.get(header + 4 + i) ^ mask[i & 3]);
            }
            assertArrayEquals(payload, unmasked, "length " + length);
            assertEquals(header + 4 + length, frame.remaining());
        }
    }

    @Test
    void closePayloadCarriesTheCode() {
        ByteBuffer payload = ByteBuffer.wrap(WsFrames.closePayload(4001, utf8("inactive")));
        assertEquals(4001, WsFrames.closeCode(payload));
        assertEquals(1005, WsFrames.closeCode(ByteBuffer.allocate(0)));
    }
}
