package com.aegisx.ws.server.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameSlabTest {

    private static String text(ByteBuffer frame) {
        ByteBuffer view = frame.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void framesAreIndependentDirectSlicesAndOutliveTheirSlab() {
        FrameSlab slab = new FrameSlab();
        List<ByteBuffer> frames = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        // Enough frames to fill several slabs.
        for (int i = 0; i < 3 * FrameSlab.SLAB_BYTES / 100; i++) {
            String text = "{\"n\":" + i + ",\"pad\":\"" + "x".repeat(i % 90) + "\"}";
            texts.add(text);
            frames.add(slab.frame(text.getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < frames.size(); i++) {
            ByteBuffer frame = frames.get(i);
            assertTrue(frame.isDirect());
            assertEquals(0, frame.position());
            assertEquals(texts.get(i), text(frame), "frame " + i + " is untouched by later ones");
        }
    }

    @Test
    void aLargeFrameGetsItsOwnBuffer() {
        FrameSlab slab = new FrameSlab();
        byte[] large = "y".repeat(FrameSlab.MAX_SLICED_BYTES + 1).getBytes(StandardCharsets.UTF_8);
        ByteBuffer frame = slab.frame(large);
        assertTrue(frame.isDirect());
        assertEquals(large.length, frame.capacity());
    }
}
