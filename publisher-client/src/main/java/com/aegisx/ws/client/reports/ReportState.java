package com.aegisx.ws.client.reports;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored state of one report (the hash {@code <prefix>:report:{reportId}}).
 *
 * @param ownerId           the user who owns the report; null for an ownerless (public) report
 * @param seq               update counter, incremented by every status change
 * @param cancelRequestedBy who asked to cancel (user id, or {@code anonymous}); null when nobody did
 */
public record ReportState(String reportId, String ownerId, String templateId, ReportStatus status, int progress,
                          String message, String downloadUrl, String format, long fileSize, long seq,
                          String updatedAt, String cancelRequestedBy, String cancelRequestedAt) {

    static final String F_REPORT_ID = "reportId";
    static final String F_OWNER = "ownerId";
    static final String F_TEMPLATE = "templateId";
    static final String F_STATUS = "status";
    static final String F_PROGRESS = "progress";
    static final String F_MESSAGE = "message";
    static final String F_DOWNLOAD_URL = "downloadUrl";
    static final String F_FORMAT = "format";
    static final String F_FILE_SIZE = "fileSize";
    static final String F_SEQ = "seq";
    static final String F_CREATED_AT = "createdAt";
    static final String F_UPDATED_AT = "updatedAt";
    static final String F_CANCEL_BY = "cancelRequestedBy";
    static final String F_CANCEL_AT = "cancelRequestedAt";

    /** Null when the hash is empty (unknown or expired report) or has no valid status. */
    public static ReportState fromHash(Map<String, String> hash) {
        if (hash == null || hash.isEmpty()) {
            return null;
        }
        ReportStatus status = ReportStatus.fromWire(hash.get(F_STATUS));
        if (status == null) {
            return null;
        }
        return new ReportState(hash.get(F_REPORT_ID), emptyToNull(hash.get(F_OWNER)), emptyToNull(hash.get(F_TEMPLATE)),
                status, (int) number(hash.get(F_PROGRESS)), hash.getOrDefault(F_MESSAGE, ""),
                emptyToNull(hash.get(F_DOWNLOAD_URL)), emptyToNull(hash.get(F_FORMAT)), number(hash.get(F_FILE_SIZE)),
                number(hash.get(F_SEQ)), hash.get(F_UPDATED_AT), emptyToNull(hash.get(F_CANCEL_BY)),
                emptyToNull(hash.get(F_CANCEL_AT)));
    }

    public boolean isOwned() {
        return ownerId != null;
    }

    public boolean cancelRequested() {
        return cancelRequestedBy != null;
    }

    /** The {@code report_status} message for this state. */
    public ObjectNode statusMessage() {
        return ReportMessages.status(reportId, status, progress, message, seq);
    }

    /** The {@code report_completed} message, or null when the report has not completed. */
    public ObjectNode completedMessage() {
        if (status != ReportStatus.COMPLETED) {
            return null;
        }
        return ReportMessages.completed(reportId, downloadUrl, format, fileSize);
    }

    static Map<String, String> fields(Object... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            Object value = pairs[i + 1];
            out.put((String) pairs[i], value == null ? "" : value.toString());
        }
        return out;
    }

    private static long number(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String emptyToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
