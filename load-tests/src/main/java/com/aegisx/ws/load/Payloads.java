package com.aegisx.ws.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The benchmark payload, {@code {"type":"bench","seq":N,"t":<epoch µs>,"pad":"xx.."}}, and an
 * allocation-free reader of its two numbers straight from a received frame's bytes (the node
 * re-encodes the message with Jackson, which keeps member order and adds channel and timestamp).
 */
public final class Payloads {

    public static final String TYPE = "bench";
    private static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] T = "\"t\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BENCH = "\"type\":\"bench\"".getBytes(StandardCharsets.US_ASCII);

    private Payloads() {
    }

    public static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** A payload whose total length is about {@code size} bytes (never less than the fixed part). */
    public static String build(long seq, long epochMicros, String pad) {
        return "{\"type\":\"bench\",\"seq\":" + seq + ",\"t\":" + epochMicros + ",\"pad\":\"" + pad + "\"}";
    }

    /** Padding that brings a payload of this shape to about {@code size} bytes. */
    public static String padFor(int size) {
        int fixed = build(1_000_000, 1_700_000_000_000_000L, "").length();
        return "x".repeat(Math.max(0, size - fixed));
    }

    public static boolean isBench(ByteBuffer frame) {
        return indexOf(frame, BENCH, frame.position()) >= 0;
    }

    /** The {@code seq} number, or -1 when absent. */
    public static long seq(ByteBuffer frame) {
        return number(frame, SEQ);
    }

    /** The {@code t} number (epoch µs), or -1 when absent. */
    public static long sentMicros(ByteBuffer frame) {
        return number(frame, T);
    }

    static long number(ByteBuffer frame, byte[] key) {
        int at = indexOf(frame, key, frame.position());
        if (at < 0) {
            return -1;
        }
        int i = at + key.length;
        int end = frame.limit();
        long value = 0;
        boolean digits = false;
        while (i < end) {
            byte b = frame.get(i);
            if (b < '0' || b > '9') {
                break;
            }
            value = value * 10 + (b - '0');
            digits = true;
            i++;
        }
        return digits ? value : -1;
    }

    static int indexOf(ByteBuffer frame, byte[] key, int from) {
        int last = frame.limit() - key.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int k = 0; k < key.length; k++) {
                if (frame.get(i + k) != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
