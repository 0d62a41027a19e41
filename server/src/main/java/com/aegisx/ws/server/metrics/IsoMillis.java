package com.aegisx.ws.server.metrics;

/**
 * Reads a timestamp of the form the node and the publisher client write,
 * {@code yyyy-MM-ddTHH:mm:ss.SSSZ}, as epoch milliseconds without objects: the node reads one per
 * pub/sub message for its publish-age histogram, and {@code Instant.parse} (a formatter, a parse
 * context, a field map) cost more than delivering a personal message to its socket.
 */
final class IsoMillis {

    /** Characters of {@code 2024-01-07T10:30:00.000Z}. */
    static final int LENGTH = 24;
    static final long INVALID = Long.MIN_VALUE;

    private IsoMillis() {
    }

    /** Epoch millis of the timestamp at {@code at}, or {@link #INVALID} when it is not exactly that form. */
    static long parse(CharSequence text, int at) {
        if (at < 0 || text.length() - at < LENGTH
                || text.charAt(at + 4) != '-' || text.charAt(at + 7) != '-' || text.charAt(at + 10) != 'T'
                || text.charAt(at + 13) != ':' || text.charAt(at + 16) != ':' || text.charAt(at + 19) != '.'
                || text.charAt(at + 23) != 'Z') {
            return INVALID;
        }
        int year = digits(text, at, 4);
        int month = digits(text, at + 5, 2);
        int day = digits(text, at + 8, 2);
        int hour = digits(text, at + 11, 2);
        int minute = digits(text, at + 14, 2);
        int second = digits(text, at + 17, 2);
        int millis = digits(text, at + 20, 3);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) {
            return INVALID;
        }
        long days = daysFromCivil(year, month, day);
        return ((days * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    /** The decimal number of {@code count} digits at {@code at}, -1 if one is not a digit. */
    private static int digits(CharSequence text, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            int d = text.charAt(i) - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            value = value * 10 + d;
        }
        return value;
    }

    private static int daysIn(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    private static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }
}
