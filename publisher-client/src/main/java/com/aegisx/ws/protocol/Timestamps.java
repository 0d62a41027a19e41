package com.aegisx.ws.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The one timestamp format on the wire: ISO-8601 UTC with exactly three fraction digits,
 * {@code 2024-01-07T10:30:00.000Z}. {@link Instant#toString()} prints 0, 3, 6 or 9 digits, so it
 * must not be used for this.
 */
public final class Timestamps {

    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }

    public static String formatMillis(long epochMillis) {
        return FORMAT.format(Instant.ofEpochMilli(epochMillis));
    }

    public static String now() {
        return format(Instant.now());
    }
}
