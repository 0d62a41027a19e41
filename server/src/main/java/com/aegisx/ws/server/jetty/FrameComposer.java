package com.aegisx.ws.server.jetty;

import java.nio.ByteBuffer;

/**
 * Whole text frames (header and payload in one direct buffer), built once per message per thread
 * and written to every socket that thread sends the message to. Not thread-safe: one per thread.
 *
 * <p>A fan-out hands every member the same payload buffer; the frame built for the first member
 * is reused for the rest (the payload is recognised by identity and bounds, and its bytes never
 * change: {@code Outbound}'s contract). A socket that cannot take a frame at once gets a copy of
 * what is left, so the buffer is free again as soon as the write returns.
 *
 * <p>Frames sent in batch mode (more frames follow for the same socket) gather in a second
 * buffer and leave in one write with the frame that ends the batch.
 */
final class FrameComposer {

    private static final ThreadLocal<FrameComposer> LOCAL = ThreadLocal.withInitial(FrameComposer::new);
    /** A buffer grown past this for a large message is let go afterwards, not kept per thread. */
    static final int KEEP_BYTES = 64 * 1024;
    private static final int INITIAL_BYTES = 2048;

    private ByteBuffer frame = ByteBuffer.allocateDirect(INITIAL_BYTES);
    /** {@link #frame} as the one-element array the socket write takes. */
    private final ByteBuffer[] frameArray = {frame};
    private ByteBuffer source;
    private int sourcePosition;
    private int sourceLimit;
    private ByteBuffer gathered = ByteBuffer.allocateDirect(INITIAL_BYTES);
    /** The writer the gathered frames are for; null while none wait. */
    private OutboundWriter gatheringFor;
    private final ByteBuffer[] gatheredArray = new ByteBuffer[1];

    static FrameComposer local() {
        return LOCAL.get();
    }

    /**
     * The whole frame of {@code payload}, positioned at its first byte, as the only element of an
     * array (both valid until the next call).
     */
    ByteBuffer[] frameOf(ByteBuffer payload) {
        if (payload == source && payload.position() == sourcePosition && payload.limit() == sourceLimit) {
            frame.position(0);
            return frameArray;
        }
        int size = FrameHeader.frameSize(payload.remaining());
        if (frame.capacity() < size || frame.capacity() > KEEP_BYTES) {
            frame = ByteBuffer.allocateDirect(Math.max(size, INITIAL_BYTES));
            frameArray[0] = frame;
        }
        frame.clear();
        FrameHeader.putFrame(frame, FrameHeader.FIN_TEXT, payload);
        frame.flip();
        source = payload;
        sourcePosition = payload.position();
        sourceLimit = payload.limit();
        return frameArray;
    }

    /** The writer whose batch frames wait here, or null. */
    OutboundWriter gatheringFor() {
        return gatheringFor;
    }

    /** Adds one frame of {@code payload} to the batch of {@code writer}. */
    void gather(OutboundWriter writer, ByteBuffer payload) {
        int size = FrameHeader.frameSize(payload.remaining());
        if (gathered.remaining() < size) {
            ByteBuffer larger = ByteBuffer.allocateDirect(Math.max(gathered.capacity() * 2, gathered.position() + size));
            gathered.flip();
            larger.put(gathered);
            gathered = larger;
        }
        FrameHeader.putFrame(gathered, FrameHeader.FIN_TEXT, payload);
        gatheringFor = writer;
    }

    /** The gathered frames, positioned for writing, as a one-element array; {@link #clearGathered()} once written. */
    ByteBuffer[] gathered() {
        gatheredArray[0] = gathered.flip();
        return gatheredArray;
    }

    void clearGathered() {
        gatheringFor = null;
        if (gathered.capacity() > KEEP_BYTES) {
            gathered = ByteBuffer.allocateDirect(INITIAL_BYTES);
        } else {
            gathered.clear();
        }
    }
}
