package com.aegisx.ws.server;

import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.server.reports.ReportRoutes;
import com.aegisx.ws.server.core.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The routes a node serves beside {@code /ws} and {@code /ws/health}. */
public final class Routes {

    private Routes() {
    }

    public static List<Function<NodeServices, Route>> extra() {
        List<Function<NodeServices, Route>> routes = new ArrayList<>();
        // The Report Builder routes: /api/v1/reports/progress/{reportId}, /stream/{templateId}, /notifications.
        routes.addAll(ReportRoutes.all());
        return List.copyOf(routes);
    }
}
