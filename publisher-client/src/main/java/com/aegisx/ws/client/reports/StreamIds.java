package com.aegisx.ws.client.reports;

/** Ordering of Redis Stream entry ids ({@code <millis>-<sequence>}), which are not ordered as strings. */
public final class StreamIds {

    private StreamIds() {
    }

    /** Negative, zero or positive as {@code a} is older than, equal to or newer than {@code b}. */
    public static int compare(String a, String b) {
        long[] x = parse(a);
        long[] y = parse(b);
        int byTime = Long.compare(x[0], y[0]);
        return byTime != 0 ? byTime : Long.compare(x[1], y[1]);
    }

    public static boolean isValid(String id) {
        try {
            parse(id);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long[] parse(String id) {
        if (id == null) {
            throw new IllegalArgumentException("stream id is null");
        }
        int dash = id.indexOf('-');
        try {
            if (dash < 0) {
                return new long[] {Long.parseUnsignedLong(id), 0};
            }
            return new long[] {Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stream id: '" + id + "'", e);
        }
    }
}
