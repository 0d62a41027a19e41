package com.aegisx.ws.client.reports;

import com.aegisx.ws.protocol.ErrorCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.protocol.Timestamps;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The messages of the Report Builder routes, in the spec's shapes. Built here once and used by the
 * producers (publishing) and by the nodes (answering {@code request_update}, late joiners).
 *
 * <p>Two members are this tier's additions: {@code seq} on {@code report_status} (the report's
 * update counter, so a node never shows a watcher an older status after a newer one) and
 * {@code streamId} on {@code data_update} (the Redis Stream entry id, so a node can tell which
 * live points were already part of {@code initial_data}).
 */
public final class ReportMessages {

    public static final String REPORT_STATUS = "report_status";
    public static final String REPORT_COMPLETED = "report_completed";
    public static final String ERROR = "error";
    public static final String DATA_UPDATE = "data_update";
    public static final String INITIAL_DATA = "initial_data";
    public static final String SYSTEM_ALERT = "system_alert";
    public static final String MAINTENANCE_NOTICE = "maintenance_notice";
    public static final String REPORT_NOTIFICATION = "report_notification";

    private ReportMessages() {
    }

    public static ObjectNode status(String reportId, ReportStatus status, int progress, String message, long seq) {
        ObjectNode out = Json.object();
        out.put("type", REPORT_STATUS);
        ObjectNode data = out.putObject("data");
        data.put("reportId", reportId);
        data.put("status", status.wire());
        data.put("progress", progress);
        data.put("message", message == null ? "" : message);
        if (seq > 0) {
            out.put("seq", seq);
        }
        return out;
    }

    public static ObjectNode completed(String reportId, String downloadUrl, String format, long fileSize) {
        ObjectNode out = Json.object();
        out.put("type", REPORT_COMPLETED);
        ObjectNode data = out.putObject("data");
        data.put("reportId", reportId);
        data.put("downloadUrl", downloadUrl);
        data.put("format", format);
        data.put("fileSize", fileSize);
        return out;
    }

    /** The live {@code error} of a failed report: the spec's {@code message}, plus {@code code} and the report id. */
    public static ObjectNode failed(String reportId, String message) {
        ObjectNode out = Json.object();
        out.put("type", ERROR);
        out.put("code", ErrorCodes.REPORT_FAILED);
        out.put("message", message == null ? "Report generation failed" : message);
        out.putObject("data").put("reportId", reportId);
        return out;
    }

    public static ObjectNode dataUpdate(String templateId, ObjectNode point, String streamId) {
        ObjectNode out = Json.object();
        out.put("type", DATA_UPDATE);
        out.set("data", point);
        out.put("templateId", templateId);
        out.put("streamId", streamId);
        return out;
    }

    /** Points newest first, as in the spec's example. */
    public static ObjectNode initialData(String templateId, List<ObjectNode> pointsNewestFirst) {
        ObjectNode out = Json.object();
        out.put("type", INITIAL_DATA);
        ArrayNode data = out.putArray("data");
        pointsNewestFirst.forEach(data::add);
        out.put("templateId", templateId);
        return out;
    }

    public static ObjectNode systemAlert(String level, String message, String action) {
        ObjectNode out = Json.object();
        out.put("type", SYSTEM_ALERT);
        ObjectNode data = out.putObject("data");
        data.put("level", level);
        data.put("message", message);
        if (action != null) {
            data.put("action", action);
        }
        return out;
    }

    /** {@code duration} goes on the wire as ISO-8601 ({@code PT30M}), {@code startTime} with three fraction digits. */
    public static ObjectNode maintenanceNotice(String message, Instant startTime, Duration duration,
                                               List<String> affectedServices) {
        ObjectNode out = Json.object();
        out.put("type", MAINTENANCE_NOTICE);
        ObjectNode data = out.putObject("data");
        data.put("message", message);
        if (startTime != null) {
            data.put("startTime", Timestamps.format(startTime));
        }
        if (duration != null) {
            data.put("duration", duration.toString());
        }
        ArrayNode services = data.putArray("affectedServices");
        (affectedServices == null ? List.<String>of() : affectedServices).forEach(services::add);
        return out;
    }

    public static ObjectNode reportNotification(String reportId, String message, ObjectNode extra) {
        ObjectNode out = Json.object();
        out.put("type", REPORT_NOTIFICATION);
        ObjectNode data = out.putObject("data");
        if (reportId != null) {
            data.put("reportId", reportId);
        }
        data.put("message", message);
        if (extra != null) {
            data.setAll(extra);
        }
        return out;
    }
}
