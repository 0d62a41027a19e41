package com.aegisx.ws.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A WebSocket close reason is at most {@value #MAX_BYTES} bytes of UTF-8 (RFC 6455 5.5: a control
 * frame's 125-byte payload less the 2-byte code). Counted in bytes, not characters: 50 euro signs
 * are 50 characters but 150 bytes. Jetty would cut a longer one itself, silently; bounding it here
 * makes the reason a node logs, writes to its lifecycle event and sends one and the same.
 */
public final class CloseReasons {

    public static final int MAX_BYTES = 123;

    private CloseReasons() {
    }

    /** Whether {@code reason} fits a close frame whole. */
    public static boolean fits(String reason) {
        return reason == null || utf8Length(reason) <= MAX_BYTES;
    }

    /**
     * {@code reason} cut to at most {@value #MAX_BYTES} bytes of UTF-8, between two code points
     * (never half a surrogate pair or a multi-byte character); null stays null.
     */
    public static String truncate(String reason) {
        if (fits(reason)) {
            return reason;
        }
        int bytes = 0;
        int end = 0;
        while (end < reason.length()) {
            int codePoint = reason.codePointAt(end);
            int size = utf8Length(codePoint);
            if (bytes + size > MAX_BYTES) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return reason.substring(0, end);
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A lone surrogate is encoded as '?' (1 byte), as String.getBytes does. */
    private static int utf8Length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2
                : Character.isSurrogate((char) codePoint) && codePoint <= 0xFFFF ? 1 : codePoint < 0x10000 ? 3 : 4;
    }
}
