package com.aegisx.ws.load;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The few parts of RFC 6455 a load-generator client needs: reading the unmasked frames a server
 * sends, straight from a read buffer and without copying, and writing masked client frames.
 */
final class WsFrames {

    static final byte CONTINUATION = 0x0;
    static final byte TEXT = 0x1;
    static final byte BINARY = 0x2;
    static final byte CLOSE = 0x8;
    static final byte PING = 0x9;
    static final byte PONG = 0xA;

    /** Told each complete frame; its payload is {@code buffer}'s position..limit during the call. */
    interface Handler {
        void onFrame(byte opcode, boolean fin, ByteBuffer payload);
    }

    private WsFrames() {
    }

    /**
     * Hands every complete frame between {@code buffer}'s position and limit to {@code handler}
     * and leaves the position at the start of the first incomplete frame (the limit unchanged).
     *
     * @throws IllegalStateException on a masked server frame or a length over {@code maxFrame}
     */
    static void read(ByteBuffer buffer, int maxFrame, Handler handler) {
        int limit = buffer.limit();
        while (true) {
            int start = buffer.position();
            int available = limit - start;
            if (available < 2) {
                return;
            }
            int b0 = buffer.get(start) & 0xFF;
            int b1 = buffer.get(start + 1) & 0xFF;
            if ((b1 & 0x80) != 0) {
                throw new IllegalStateException("masked frame from the server");
            }
            int header = 2;
            long length = b1 & 0x7F;
            if (length == 126) {
                header = 4;
                if (available < header) {
                    return;
                }
                length = buffer.getShort(start + 2) & 0xFFFF;
            } else if (length == 127) {
                header = 10;
                if (available < header) {
                    return;
                }
                length = buffer.getLong(start + 2);
            }
            if (length < 0 || length > maxFrame) {
                throw new IllegalStateException("frame of " + length + " bytes, over " + maxFrame);
            }
            int end = start + header + (int) length;
            if (end > limit) {
                return;
            }
            buffer.limit(end).position(start + header);
            try {
                handler.onFrame((byte) (b0 & 0x0F), (b0 & 0x80) != 0, buffer);
            } finally {
                buffer.limit(limit).position(end);
            }
        }
    }

    /** One final client frame, masked with a random key as RFC 6455 requires. */
    static ByteBuffer clientFrame(byte opcode, byte[] payload) {
        int length = payload.length;
        int header = length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
        ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
        frame.put((byte) (0x80 | opcode));
        if (length < 126) {
            frame.put((byte) (0x80 | length));
        } else if (length <= 0xFFFF) {
            frame.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return frame.flip();
    }

    /** A close frame's payload: the code, then the UTF-8 reason. */
    static byte[] closePayload(int code, byte[] reason) {
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(reason, 0, payload, 2, reason.length);
        return payload;
    }

    /** The code of a close frame's payload (position..limit), 1005 when it has none. */
    static int closeCode(ByteBuffer payload) {
        return payload.remaining() >= 2 ? payload.getShort(payload.position()) & 0xFFFF : 1005;
    }
}
