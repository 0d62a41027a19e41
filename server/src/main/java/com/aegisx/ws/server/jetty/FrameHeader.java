package com.aegisx.ws.server.jetty;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.core.Frame;

/** RFC 6455 frame headers as a server writes them (never masked). */
final class FrameHeader {

    /** FIN set, opcode text: a whole text message in one frame. */
    static final byte FIN_TEXT = (byte) 0x81;
    /** The longest header: 2 bytes and a 64-bit length. */
    static final int MAX_BYTES = 10;

    private FrameHeader() {
    }

    /** Bytes of the header of a payload of {@code length} bytes. */
    static int size(int length) {
        return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
    }

    /** Bytes of a whole frame, header and payload, of a payload of {@code length} bytes. */
    static int frameSize(int length) {
        return size(length) + length;
    }

    /**
     * Puts a whole frame, header then payload, at {@code out}'s position and moves past it;
     * {@code payload} (null: none) is read without being moved.
     */
    static void putFrame(ByteBuffer out, byte finRsvOpcode, ByteBuffer payload) {
        int length = payload == null ? 0 : payload.remaining();
        put(out, finRsvOpcode, length);
        if (length > 0) {
            out.put(out.position(), payload, payload.position(), length);
            out.position(out.position() + length);
        }
    }

    /** Puts the header of a frame with this first byte (FIN, RSV bits, opcode) and payload length. */
    static void put(ByteBuffer out, byte finRsvOpcode, int length) {
        out.put(finRsvOpcode);
        if (length < 126) {
            out.put((byte) length);
        } else if (length <= 0xFFFF) {
            out.put((byte) 126);
            out.putShort((short) length);
        } else {
            out.put((byte) 127);
            out.putLong(length);
        }
    }

    /** A frame Jetty made (close, ping, pong, or a frame of its extensions), header and payload in one new buffer. */
    static ByteBuffer whole(Frame frame) {
        ByteBuffer payload = frame.getPayload();
        byte first = (byte) ((frame.isFin() ? 0x80 : 0) | (frame.isRsv1() ? 0x40 : 0) | (frame.isRsv2() ? 0x20 : 0)
                | (frame.isRsv3() ? 0x10 : 0) | (frame.getOpCode() & 0x0F));
        ByteBuffer out = ByteBuffer.allocate(frameSize(payload == null ? 0 : payload.remaining()));
        putFrame(out, first, payload);
        return out.flip();
    }
}
