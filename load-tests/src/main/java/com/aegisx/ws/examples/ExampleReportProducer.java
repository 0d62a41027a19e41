package com.aegisx.ws.examples;

import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.client.reports.ReportProducer;
import com.aegisx.ws.protocol.KeySchema;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A demo report service for the quick start: it generates one report step by step (honouring
 * {@code cancel_report}) and streams a live metric, all through the publisher client. Run it
 * beside a node and watch with wscat:
 *
 * <pre>
 * java -cp load-tests/target/load-tests.jar com.aegisx.ws.examples.ExampleReportProducer
 * wscat -c ws://localhost:3000/api/v1/reports/progress/demo-report
 * wscat -c ws://localhost:3000/api/v1/reports/stream/demo-metrics
 * wscat -c ws://localhost:3000/api/v1/reports/notifications
 * </pre>
 *
 * Environment (all optional): {@code REDIS_URL} (redis://127.0.0.1:6379), {@code REDIS_KEY_PREFIX}
 * (ws, as the node's), {@code REPORT_ID} (demo-report), {@code REPORT_OWNER} (unset: an ownerless
 * report anyone may watch and cancel), {@code TEMPLATE_ID} (demo-metrics), {@code STEP_MS} (1000:
 * time per report step and between metric points), {@code METRIC_POINTS} (0: stream until stopped).
 * This is a demo program, not part of the node (it lives in the load-tests module, outside the
 * production jar), so it reads its few variables itself.
 */
public final class ExampleReportProducer {

    private static final String[] STEPS = {
        "Validating parameters...", "Connecting to data sources...", "Querying admissions...",
        "Querying billing...", "Aggregating by department...", "Computing trends...",
        "Generating charts and visualizations...", "Laying out pages...", "Rendering PDF...", "Uploading...",
    };
    private static final String[] DEPARTMENTS = {"sales", "cardiology", "radiology"};

    private ExampleReportProducer() {
    }

    public static void main(String[] args) throws Exception {
        String redisUrl = env("REDIS_URL", "redis://127.0.0.1:6379");
        String prefix = env("REDIS_KEY_PREFIX", KeySchema.DEFAULT_PREFIX);
        String reportId = env("REPORT_ID", "demo-report");
        String owner = System.getenv("REPORT_OWNER");
        String templateId = env("TEMPLATE_ID", "demo-metrics");
        long stepMillis = Long.parseLong(env("STEP_MS", "1000"));
        long metricPoints = Long.parseLong(env("METRIC_POINTS", "0"));

        try (ReportProducer reports = ReportProducer.connect(redisUrl,
                PublisherOptions.builder().keyPrefix(prefix).build())) {
            Thread metrics = new Thread(() -> streamMetric(reports, templateId, stepMillis, metricPoints), "demo-metric");
            metrics.setDaemon(true);
            metrics.start();
            reports.notifications().systemAlert("info", "Demo report producer started",
                    "Watch /api/v1/reports/progress/" + reportId);

            generate(reports, reportId, owner, templateId, stepMillis);
            metrics.join();
        }
    }

    private static void generate(ReportProducer reports, String reportId, String owner, String templateId,
                                 long stepMillis) throws InterruptedException {
        reports.register(reportId, owner, templateId);
        AtomicBoolean cancel = new AtomicBoolean();
        reports.onCancel(reportId, request -> {
            System.out.println("Cancel requested by " + request.requestedBy() + " at " + request.requestedAt());
            cancel.set(true);
        });
        System.out.println("Report " + reportId + " registered (owner " + (owner == null ? "none" : owner) + ")");
        // Registered (pending) at once, then a pause, so a watcher started together with the
        // producer finds the report and sees the whole run.
        Thread.sleep(Math.max(stepMillis * 3, 3_000));
        for (int step = 0; step < STEPS.length; step++) {
            Thread.sleep(stepMillis);
            // The callback sets the flag; polling covers a request recorded while we were not listening.
            if (cancel.get() || reports.isCancelRequested(reportId)) {
                reports.cancelled(reportId, "Cancelled by user at " + (step * 10) + "%");
                System.out.println("Report " + reportId + " cancelled");
                return;
            }
            int progress = step * 100 / STEPS.length;
            reports.progress(reportId, progress, STEPS[step]);
            System.out.println("Report " + reportId + " " + progress + "% " + STEPS[step]);
        }
        reports.complete(reportId, "/api/v1/reports/download/" + reportId, "pdf", 1_024_000);
        System.out.println("Report " + reportId + " completed");
    }

    private static void streamMetric(ReportProducer reports, String templateId, long stepMillis, long limit) {
        Random random = new Random();
        double value = 100;
        for (long i = 0; limit == 0 || i < limit; i++) {
            double previous = value;
            value = Math.max(1, value + random.nextGaussian() * 5);
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("value", Math.round(value));
            point.put("change", String.format("%+.0f%%", (value - previous) / previous * 100));
            point.put("department", DEPARTMENTS[(int) (i % DEPARTMENTS.length)]);
            reports.streams().append(templateId, point);
            try {
                Thread.sleep(stepMillis);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
