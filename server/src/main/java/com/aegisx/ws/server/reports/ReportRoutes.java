package com.aegisx.ws.server.reports;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.server.core.Route;
import java.util.List;
import java.util.function.Function;

/** The Report Builder routes of the spec, as factories for {@code WsNode.start}. */
public final class ReportRoutes {

    public static final String PROGRESS_PATH = "/api/v1/reports/progress/{reportId}";
    public static final String STREAM_PATH = "/api/v1/reports/stream/{templateId}";
    public static final String NOTIFICATIONS_PATH = "/api/v1/reports/notifications";

    private ReportRoutes() {
    }

    public static List<Function<NodeServices, Route>> all() {
        return List.of(
                services -> new Route("report-progress", PROGRESS_PATH, new ProgressRoute(services)),
                services -> new Route("report-stream", STREAM_PATH, new StreamRoute(services)),
                services -> new Route("report-notifications", NOTIFICATIONS_PATH, new NotificationsRoute(services)));
    }
}
