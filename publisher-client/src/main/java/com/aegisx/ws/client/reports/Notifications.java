package com.aegisx.ws.client.reports;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.Futures;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Notices for the {@code /api/v1/reports/notifications} sockets. Each call is one broadcast and
 * returns how many nodes received it (0 when no node has a listener).
 *
 * <ul>
 *   <li>{@link #systemAlert}: {@code system_alert} on {@code reports:alerts};</li>
 *   <li>{@link #maintenanceNotice}: {@code maintenance_notice} on {@code reports:maintenance};</li>
 *   <li>{@link #systemNotice}: any message on {@code reports:system};</li>
 *   <li>{@link #notifyUser} / {@link #reportNotification}: {@code user:<userId>:reports}, which only
 *       that user's sockets (and admins) may hear.</li>
 * </ul>
 */
public final class Notifications {

    public static final Set<String> LEVELS = Set.of("info", "warning", "error", "critical");

    private final AsyncWsPublisher publisher;
    private final Duration timeout;

    public Notifications(AsyncWsPublisher publisher, Duration timeout) {
        this.publisher = Objects.requireNonNull(publisher, "publisher");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** {@code level} is one of info, warning, error, critical; {@code action} may be null. */
    public long systemAlert(String level, String message, String action) {
        if (!LEVELS.contains(level)) {
            throw new IllegalArgumentException("level must be one of " + LEVELS + ", was '" + level + "'");
        }
        Objects.requireNonNull(message, "message");
        return broadcast(ReportChannels.ALERTS, ReportMessages.systemAlert(level, message, action));
    }

    public long maintenanceNotice(String message, Instant startTime, Duration duration, List<String> affectedServices) {
        Objects.requireNonNull(message, "message");
        return broadcast(ReportChannels.MAINTENANCE,
                ReportMessages.maintenanceNotice(message, startTime, duration, affectedServices));
    }

    /** Any message (Map, JsonNode, JSON text, bean) for every notifications socket, on {@code reports:system}. */
    public long systemNotice(Object message) {
        return broadcast(ReportChannels.SYSTEM, message);
    }

    /** Any message for one user's notifications sockets, on {@code user:<userId>:reports}. */
    public long notifyUser(String userId, Object message) {
        if (!Identifiers.isValidUserId(userId) || userId.contains(":")) {
            throw new IllegalArgumentException("not a valid user id: '" + userId + "'");
        }
        return broadcast(ReportChannels.userReports(userId), message);
    }

    /** A {@code report_notification} ({@code data: {reportId, message, ...extra}}) for one user. */
    public long reportNotification(String userId, String reportId, String message, ObjectNode extra) {
        return notifyUser(userId, ReportMessages.reportNotification(reportId, message, extra));
    }

    private long broadcast(String channel, Object message) {
        ObjectNode body = Json.toObject(message);
        return Futures.await(publisher.broadcast(channel, body), timeout);
    }
}
