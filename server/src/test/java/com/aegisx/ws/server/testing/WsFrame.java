package com.aegisx.ws.server.testing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One WebSocket frame as it was on the wire (RFC 6455 section 5.2), already unmasked.
 * Deliberately carries the raw fields (fin, rsv, masked) so tests can assert what the server
 * actually sent, e.g. that server frames are never masked.
 */
public record WsFrame(int opcode, boolean fin, int rsv, boolean masked, byte[] payload) {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** RFC 6455 7.1.5: the code reported when a close frame carries no status code. */
    public static final int NO_STATUS_CODE = 1005;

    public WsFrame {
        payload = payload == null ? new byte[0] : payload;
    }

    public boolean isControl() {
        return (opcode & 0x8) != 0;
    }

    public boolean isClose() {
        return opcode == CLOSE;
    }

    public boolean isPing() {
        return opcode == PING;
    }

    public boolean isPong() {
        return opcode == PONG;
    }

    /** The payload decoded as UTF-8 (invalid sequences are replaced, not rejected). */
    public String text() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** For a close frame: the status code, or 1005 when the payload is empty. */
    public int closeCode() {
        requireClose();
        return payload.length < 2 ? NO_STATUS_CODE : ByteBuffer.wrap(payload, 0, 2).getShort() & 0xFFFF;
    }

    /** For a close frame: the reason text, empty when there is none. */
    public String closeReason() {
        requireClose();
        return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    private void requireClose() {
        if (!isClose()) {
            throw new IllegalStateException("not a close frame: " + this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WsFrame f && f.opcode == opcode && f.fin == fin && f.rsv == rsv
                && f.masked == masked && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * (opcode + (fin ? 16 : 0) + rsv * 32 + (masked ? 256 : 0)) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String body;
        if (opcode == CLOSE) {
            body = payload.length == 0 ? "no status" : closeCode() + " \"" + closeReason() + "\"";
        } else if (opcode == TEXT || opcode == CONTINUATION) {
            String t = text();
            body = '"' + (t.length() > 200 ? t.substring(0, 200) + "..." : t) + '"';
        } else {
            body = payload.length + " bytes";
        }
        return "WsFrame[" + opcodeName(opcode) + (fin ? "" : " !fin") + (rsv != 0 ? " rsv=" + rsv : "")
                + (masked ? " masked" : "") + " " + body + "]";
    }

    public static String opcodeName(int opcode) {
        return switch (opcode) {
            case CONTINUATION -> "CONTINUATION";
            case TEXT -> "TEXT";
            case BINARY -> "BINARY";
            case CLOSE -> "CLOSE";
            case PING -> "PING";
            case PONG -> "PONG";
            default -> "OPCODE_" + opcode;
        };
    }
}
