package com.aegisx.ws.client.reports;

import java.util.Locale;

/** The lifecycle of a report, as the spec names it on the wire ({@code pending}, {@code running}, ...). */
public enum ReportStatus {
    PENDING, RUNNING, COMPLETED, ERROR, CANCELLED;

    /** The lower-case name used in messages and in the stored state. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A report in a terminal state takes no more status changes and cannot be cancelled. */
    public boolean isTerminal() {
        return this == COMPLETED || this == ERROR || this == CANCELLED;
    }

    /** Parses the wire name; null for null or an unknown name. */
    public static ReportStatus fromWire(String wire) {
        if (wire == null) {
            return null;
        }
        for (ReportStatus status : values()) {
            if (status.wire().equals(wire)) {
                return status;
            }
        }
        return null;
    }
}
