package com.aegisx.ws.server.history;

/**
 * Reads the offset and epoch the history script appends to every message it publishes: the
 * text ends with {@code ,"offset":<digits>,"epoch":"<epoch>"}} (or starts with them, for an empty
 * message). Reading the tail costs a few comparisons, no parse.
 */
public final class HistoryTail {

    private static final String OFFSET = "\"offset\":";
    private static final String EPOCH = ",\"epoch\":\"";

    private HistoryTail() {
    }

    /** The message's offset, or -1 when it carries none (a raw PUBLISH on a history channel). */
    public static long offset(String text) {
        int epochAt = epochStart(text);
        if (epochAt < 0) {
            return -1;
        }
        int digitsEnd = epochAt - EPOCH.length();
        int digitsStart = digitsEnd;
        while (digitsStart > 0 && Character.isDigit(text.charAt(digitsStart - 1))) {
            digitsStart--;
        }
        if (digitsStart == digitsEnd || digitsStart < OFFSET.length()
                || !text.startsWith(OFFSET, digitsStart - OFFSET.length()) || digitsEnd - digitsStart > 18) {
            return -1;
        }
        return Long.parseLong(text, digitsStart, digitsEnd, 10);
    }

    /** The message's epoch, or null. */
    public static String epoch(String text) {
        int epochAt = epochStart(text);
        return epochAt < 0 ? null : text.substring(epochAt, text.length() - 2);
    }

    /** Where the epoch's characters start, or -1 when the text does not end like a history message. */
    private static int epochStart(String text) {
        int end = text.length();
        if (end < 4 || text.charAt(end - 1) != '}' || text.charAt(end - 2) != '"') {
            return -1;
        }
        int quote = text.lastIndexOf('"', end - 3);
        if (quote < EPOCH.length() || !text.startsWith(EPOCH, quote - EPOCH.length() + 1)) {
            return -1;
        }
        return quote + 1;
    }
}
