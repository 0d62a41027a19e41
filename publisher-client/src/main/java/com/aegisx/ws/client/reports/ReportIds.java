package com.aegisx.ws.client.reports;

import java.util.regex.Pattern;

/**
 * Syntax of report and template ids. They become one segment of a channel name
 * ({@code reports:progress:<reportId>}) and the hash tag of a Redis key, so they are limited to
 * the characters a channel segment allows (letters, digits, {@code _ - . @ +}); UUIDs fit.
 */
public final class ReportIds {

    public static final int MAX_LENGTH = 128;
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_\\-.@+]{1," + MAX_LENGTH + "}");

    private ReportIds() {
    }

    public static boolean isValid(String id) {
        return id != null && SEGMENT.matcher(id).matches();
    }

    /** Throws IllegalArgumentException naming what is wrong; returns the id for chaining. */
    public static String requireValid(String what, String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException(what + " must be 1-" + MAX_LENGTH
                    + " letters, digits or _-.@+, was '" + id + "'");
        }
        return id;
    }
}
