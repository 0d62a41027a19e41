package com.aegisx.ws.server.jetty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameComposerTest {

    private static ByteBuffer payload(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return ByteBuffer.wrap(bytes);
    }

    /** The header a browser's parser expects: FIN + text, then a 7-, 16- or 64-bit length. */
    @Test
    void framesCarryTheShortestLengthEncodingAndThePayloadUnchanged() {
        FrameComposer composer = new FrameComposer();
        int[][] cases = {{0, 2}, {125, 2}, {126, 4}, {65_535, 4}, {65_536, 10}, {200_000, 10}};
        for (int[] c : cases) {
            ByteBuffer payload = payload(c[0]);
            ByteBuffer frame = composer.frameOf(payload);
            assertEquals(c[1] + c[0], frame.remaining(), "length " + c[0]);
            assertEquals((byte) 0x81, frame.get(0));
            if (c[1] == 2) {
                assertEquals(c[0], frame.get(1));
            } else if (c[1] == 4) {
                assertEquals(126, frame.get(1));
                assertEquals(c[0], frame.getShort(2) & 0xFFFF);
            } else {
                assertEquals(127, frame.get(1));
                assertEquals(c[0], frame.getLong(2));
            }
            assertEquals(payload, frame.slice(c[1], c[0]), "payload of length " + c[0]);
            assertEquals(0, payload.position(), "the shared payload is never moved");
        }
    }

    @Test
    void theSamePayloadIsFramedOnceAndTheFrameRewoundForTheNextSocket() {
        FrameComposer composer = new FrameComposer();
        ByteBuffer payload = ByteBuffer.wrap("{\"n\":1}".getBytes(StandardCharsets.UTF_8));
        ByteBuffer first = composer.frameOf(payload);
        first.position(first.limit()); // written to a socket
        ByteBuffer again = composer.frameOf(payload);
        assertSame(first, again);
        assertEquals(0, again.position());
        assertEquals(9, again.remaining());

        ByteBuffer other = ByteBuffer.wrap("{\"n\":22}".getBytes(StandardCharsets.UTF_8));
        assertEquals(10, composer.frameOf(other).remaining(), "another payload gets its own frame");
        assertEquals(9, composer.frameOf(payload.duplicate()).remaining(), "a view is framed anew");
    }

    @Test
    void gatheredFramesLeaveTogetherAndGrowPastTheInitialBuffer() {
        FrameComposer composer = new FrameComposer();
        OutboundWriter owner = null;
        assertNull(composer.gatheringFor());
        for (int i = 0; i < 100; i++) {
            composer.gather(owner, payload(100));
        }
        ByteBuffer gathered = composer.gathered();
        assertEquals(100 * 102, gathered.remaining());
        for (int i = 0; i < 100; i++) {
            assertEquals((byte) 0x81, gathered.get(i * 102));
            assertEquals(100, gathered.get(i * 102 + 1));
        }
        composer.clearGathered();
        assertNull(composer.gatheringFor());
        assertEquals(0, composer.gathered().remaining());
        composer.clearGathered();
    }

    @Test
    void aLargeFrameIsNotKeptPerThread() {
        FrameComposer composer = new FrameComposer();
        ByteBuffer large = composer.frameOf(payload(FrameComposer.KEEP_BYTES + 1));
        ByteBuffer small = composer.frameOf(payload(10));
        assertNotSame(large, small);
        assertTrue(small.capacity() <= FrameComposer.KEEP_BYTES);
    }
}
