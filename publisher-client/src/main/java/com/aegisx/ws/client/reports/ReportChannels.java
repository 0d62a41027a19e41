package com.aegisx.ws.client.reports;

/**
 * The broadcast channels of the Report Builder routes, following the spec's naming convention
 * ({@code reports:progress:report-uuid}, {@code reports:data:template-uuid}).
 */
public final class ReportChannels {

    /** System-wide report notifications. */
    public static final String SYSTEM = "reports:system";
    /** Maintenance and update notices. */
    public static final String MAINTENANCE = "reports:maintenance";
    /** Critical alerts and warnings. */
    public static final String ALERTS = "reports:alerts";

    private ReportChannels() {
    }

    /** Status changes of one report: {@code report_status}, {@code report_completed}, {@code error}. */
    public static String progress(String reportId) {
        return "reports:progress:" + ReportIds.requireValid("reportId", reportId);
    }

    /** Live data points of one template: {@code data_update}. */
    public static String data(String templateId) {
        return "reports:data:" + ReportIds.requireValid("templateId", templateId);
    }

    /** Report notifications for one user ({@code user:<userId>:reports}); only that user (or an admin) may listen. */
    public static String userReports(String userId) {
        return "user:" + userId + ":reports";
    }
}
