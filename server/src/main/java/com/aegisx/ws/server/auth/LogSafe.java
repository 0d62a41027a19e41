package com.aegisx.ws.server.auth;

/**
 * Makes client-supplied text safe for a log line: a client must not be able to forge a line or
 * hide part of one. CR, LF and tab become {@code \r}, {@code \n}, {@code \t}; every other control
 * (C0, DEL, C1 such as U+0085 NEL), line or paragraph separator (U+2028, U+2029) and invisible
 * format character (bidi overrides such as U+202E) becomes {@code \}{@code uXXXX}; a backslash is
 * doubled so an escape cannot be faked either. Long text is cut at {@value #MAX_LENGTH} characters.
 *
 * <p>Use it on everything that comes from a client before it reaches a log: close reasons,
 * header values (User-Agent, Origin), claims, ids, message fields. Secrets are masked first
 * ({@link LogMasking}); this is about the shape of the line, not its secrecy.
 */
public final class LogSafe {

    /** Enough for any user agent or close reason (at most 123 bytes); more only floods the log. */
    public static final int MAX_LENGTH = 256;

    private LogSafe() {
    }

    /** The text escaped for a log line; {@code null} stays null (SLF4J prints it as "null"). */
    public static String text(String text) {
        if (text == null) {
            return null;
        }
        int end = Math.min(text.length(), MAX_LENGTH);
        int i = 0;
        while (i < end && isPlain(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text; // the common case: nothing to escape, no copy
        }
        StringBuilder out = new StringBuilder(end + 16).append(text, 0, i);
        for (; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (isPlain(c)) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        if (end < text.length()) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }

    private static boolean isPlain(char c) {
        if (c >= 0x20 && c < 0x7F) {
            return c != '\\';
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED -> false;
            default -> true;
        };
    }
}
