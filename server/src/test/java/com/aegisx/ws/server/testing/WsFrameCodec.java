package com.aegisx.ws.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * RFC 6455 frame encoding and decoding with no validation at all, so tests can produce and
 * observe frames a real client library would refuse to (bad opcodes, reserved bits, unmasked
 * client frames, invalid UTF-8).
 */
public final class WsFrameCodec {

    /** Guards the test JVM against a garbage length field asking for gigabytes. */
    public static final int DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;

    private WsFrameCodec() {
    }

    /**
     * Encodes one frame.
     *
     * @param rsv     the three reserved bits (0..7); anything but 0 is a protocol error without an extension
     * @param maskKey 4 bytes to mask with, or null to send the payload unmasked
     */
    public static byte[] encode(int opcode, boolean fin, int rsv, byte[] maskKey, byte[] payload) {
        if (opcode < 0 || opcode > 0xF) {
            throw new IllegalArgumentException("opcode must fit in 4 bits: " + opcode);
        }
        if (rsv < 0 || rsv > 7) {
            throw new IllegalArgumentException("rsv must fit in 3 bits: " + rsv);
        }
        if (maskKey != null && maskKey.length != 4) {
            throw new IllegalArgumentException("mask key must be 4 bytes");
        }
        byte[] data = payload == null ? new byte[0] : payload;
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 14);
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = maskKey != null ? 0x80 : 0;
        if (data.length <= 125) {
            out.write(maskBit | data.length);
        } else if (data.length <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write(data.length >>> 8);
            out.write(data.length);
        } else {
            out.write(maskBit | 127);
            long len = data.length;
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (len >>> shift));
            }
        }
        if (maskKey != null) {
            out.writeBytes(maskKey);
            byte[] masked = data.clone();
            applyMask(masked, maskKey);
            out.writeBytes(masked);
        } else {
            out.writeBytes(data);
        }
        return out.toByteArray();
    }

    /**
     * Reads exactly one frame, unmasking it if needed. Blocks until a whole frame is there.
     *
     * @throws EOFException when the stream ends, before or inside a frame
     */
    public static WsFrame decode(InputStream in, int maxPayload) throws IOException {
        int b0 = readByte(in);
        int b1 = readByte(in);
        boolean fin = (b0 & 0x80) != 0;
        int rsv = (b0 >>> 4) & 0x7;
        int opcode = b0 & 0x0F;
        boolean masked = (b1 & 0x80) != 0;
        long len = b1 & 0x7F;
        if (len == 126) {
            len = (readByte(in) << 8) | readByte(in);
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte(in);
            }
        }
        if (len < 0 || len > maxPayload) {
            throw new IOException("frame payload length " + Long.toUnsignedString(len) + " exceeds " + maxPayload);
        }
        byte[] maskKey = masked ? in.readNBytes(4) : null;
        if (maskKey != null && maskKey.length < 4) {
            throw new EOFException("stream ended inside a mask key");
        }
        byte[] payload = in.readNBytes((int) len);
        if (payload.length < len) {
            throw new EOFException("stream ended inside a frame payload (" + payload.length + " of " + len + ")");
        }
        if (maskKey != null) {
            applyMask(payload, maskKey);
        }
        return new WsFrame(opcode, fin, rsv, masked, payload);
    }

    public static WsFrame decode(InputStream in) throws IOException {
        return decode(in, DEFAULT_MAX_PAYLOAD);
    }

    /** A close frame payload: 2-byte big-endian code then the UTF-8 reason. */
    public static byte[] closePayload(int code, String reason) {
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[2 + text.length];
        out[0] = (byte) (code >>> 8);
        out[1] = (byte) code;
        System.arraycopy(text, 0, out, 2, text.length);
        return out;
    }

    private static void applyMask(byte[] data, byte[] maskKey) {
        for (int i = 0; i < data.length; i++) {
            data[i] ^= maskKey[i & 3];
        }
    }

    private static int readByte(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("stream ended");
        }
        return b;
    }
}
