package com.aegisx.ws.client.reports;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.Futures;
import com.aegisx.ws.client.PublisherOptions;
import com.aegisx.ws.protocol.Identifiers;
import com.aegisx.ws.protocol.KeySchema;
import com.aegisx.ws.protocol.Timestamps;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.client.RedisConnector;
import com.aegisx.ws.client.RedisTarget;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The API of a report-generating service: register a report, publish its progress, complete or
 * fail it, and learn when a client asks to cancel it. Everything goes through Redis; watchers on
 * {@code /api/v1/reports/progress/<reportId>} (on any node) see each change as it is published.
 *
 * <pre>{@code
 * try (ReportProducer reports = ReportProducer.connect("redis://localhost:6379")) {
 *     reports.register("report-uuid", "user-uuid", "template-uuid");
 *     reports.onCancel("report-uuid", request -> cancelled.set(true));
 *     reports.progress("report-uuid", 40, "Querying data sources...");
 *     if (reports.isCancelRequested("report-uuid")) { reports.cancelled("report-uuid", "Cancelled by user"); }
 *     reports.complete("report-uuid", "/api/v1/reports/download/report-uuid", "pdf", 1_024_000);
 * }
 * }</pre>
 *
 * <h2>State</h2>
 * The latest state is the hash {@code <prefix>:report:{reportId}}; every change renews its TTL
 * ({@link #DEFAULT_STATE_TTL}, bounded by {@link #MIN_STATE_TTL}..{@link #MAX_STATE_TTL}), so a report
 * nobody updates disappears. Changes to an unknown (expired) report or to one already completed,
 * failed or cancelled are refused with {@link IllegalStateException}.
 *
 * <h2>Cancellation</h2>
 * A node records a client's {@code cancel_report} in the report's state (durable, survives a
 * producer that is briefly disconnected) and then publishes it on the report's cancel topic.
 * {@link #onCancel} runs its callback once per report: on the published request, or, when
 * (re)subscribing, on a request recorded while the producer was not listening. {@link #isCancelRequested}
 * polls the recorded flag. Either way the producer decides when to stop and then calls
 * {@link #cancelled}, which is what the watchers see as status {@code cancelled}.
 *
 * <p>Thread-safe. Calls block for at most {@link PublisherOptions#timeout()}. Callbacks run on one
 * thread of the producer's own, never on Lettuce's event loop.
 */
public final class ReportProducer implements AutoCloseable {

    public static final Duration DEFAULT_STATE_TTL = Duration.ofHours(24);
    public static final Duration MIN_STATE_TTL = Duration.ofMinutes(1);
    public static final Duration MAX_STATE_TTL = Duration.ofDays(7);

    private static final System.Logger log = System.getLogger(ReportProducer.class.getName());

    private final Runnable closeConnections;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final boolean sharded;
    private final KeySchema keys;
    private final Duration timeout;
    private final Duration stateTtl;
    private final ReportStore store;
    private final AsyncWsPublisher publisher;
    private final DataStreamProducer streams;
    private final Notifications notifications;
    private final Map<String, CancelWatch> watches = new ConcurrentHashMap<>();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "report-producer-callbacks");
        t.setDaemon(true);
        return t;
    });

    /**
     * Over the given command connection ({@code commands}, published to the way {@code mode} says)
     * and pub/sub connection (on a cluster, cancel topics are SSUBSCRIBEd: Lettuce's cluster pub/sub
     * connection sends each to the master of its slot); {@code closeConnections} runs on
     * {@link #close()}.
     */
    private ReportProducer(RedisClusterAsyncCommands<String, String> commands, PublishMode mode,
                           StatefulRedisPubSubConnection<String, String> pubSub, Runnable closeConnections,
                           PublisherOptions options, Duration stateTtl) {
        this.closeConnections = closeConnections;
        this.keys = options.keys();
        this.timeout = options.timeout();
        this.stateTtl = stateTtl;
        this.pubSub = pubSub;
        this.sharded = mode == PublishMode.SHARDED;
        pubSub.addListener(new CancelListener());
        this.store = new ReportStore(commands, keys, mode);
        this.publisher = new AsyncWsPublisher(commands, keys, options.historyRules(), mode);
        this.streams = new DataStreamProducer(store, publisher, timeout);
        this.notifications = new Notifications(publisher, timeout);
    }

    public static ReportProducer connect(String redisUrl) {
        return connect(redisUrl, PublisherOptions.defaults(), DEFAULT_STATE_TTL);
    }

    public static ReportProducer connect(String redisUrl, PublisherOptions options) {
        return connect(redisUrl, options, DEFAULT_STATE_TTL);
    }

    /** Takes every {@code REDIS_URL} form of the nodes (see {@link RedisTarget}). */
    public static ReportProducer connect(String redisUrl, PublisherOptions options, Duration stateTtl) {
        requireTtl(stateTtl);
        RedisConnector connector = RedisConnector.connect(options.target(redisUrl), RedisConnector.Settings.forPublisher(options));
        try {
            StatefulRedisPubSubConnection<String, String> pubSub = connector.client() instanceof RedisClusterClient cluster
                    ? cluster.connectPubSub() : ((RedisClient) connector.client()).connectPubSub(connector.uri());
            java.util.concurrent.atomic.AtomicReference<reactor.core.Disposable> topologyWatch =
                    new java.util.concurrent.atomic.AtomicReference<>();
            ReportProducer producer = new ReportProducer(connector.async(), connector.publishMode(), pubSub, () -> {
                if (topologyWatch.get() != null) {
                    topologyWatch.get().dispose();
                }
                pubSub.close();
                connector.close();
            }, options, stateTtl);
            if (connector.client() instanceof RedisClusterClient cluster) {
                // A sharded subscription lives on its slot's master: after a failover or a slot
                // migration the new owner knows nothing of it, and Lettuce does not move it.
                topologyWatch.set(cluster.getResources().eventBus().get()
                        .filter(event -> event instanceof io.lettuce.core.cluster.event.ClusterTopologyChangedEvent)
                        .subscribe(event -> producer.resubscribeWatched()));
            }
            return producer;
        } catch (RuntimeException e) {
            connector.close();
            throw e;
        }
    }

    /** Opens two connections on the caller's client; {@link #close()} closes them and leaves the client. */
    public static ReportProducer using(RedisClient client, PublisherOptions options, Duration stateTtl) {
        requireTtl(stateTtl);
        StatefulRedisConnection<String, String> commands = client.connect();
        StatefulRedisPubSubConnection<String, String> pubSub;
        try {
            pubSub = client.connectPubSub();
        } catch (RuntimeException e) {
            commands.close();
            throw e;
        }
        return new ReportProducer(commands.async(), PublishMode.CLASSIC, pubSub, () -> {
            pubSub.close();
            commands.close();
        }, options, stateTtl);
    }

    private static void requireTtl(Duration stateTtl) {
        if (stateTtl.compareTo(MIN_STATE_TTL) < 0 || stateTtl.compareTo(MAX_STATE_TTL) > 0) {
            throw new IllegalArgumentException("stateTtl must be between " + MIN_STATE_TTL + " and " + MAX_STATE_TTL
                    + ", was " + stateTtl);
        }
    }

    /** Appending live data points of templates. */
    public DataStreamProducer streams() {
        return streams;
    }

    /** System alerts, maintenance notices and per-user report notifications. */
    public Notifications notifications() {
        return notifications;
    }

    /** The general manager operations (broadcast, sendToUser, ...) over the same connection. */
    public AsyncWsPublisher publisher() {
        return publisher;
    }

    /**
     * Registers (or re-registers, clearing any earlier state) a report as {@code pending} at 0 %
     * and tells its watchers.
     *
     * @param ownerId the user who may watch and cancel it (admins may too); null makes the report
     *                ownerless: anyone may watch and cancel it (demos, system reports)
     * @param templateId the template it is built from; may be null
     * @return the state's update counter ({@code seq})
     */
    public long register(String reportId, String ownerId, String templateId) {
        ReportIds.requireValid("reportId", reportId);
        if (ownerId != null && (!Identifiers.isValidUserId(ownerId) || ownerId.contains(":"))) {
            throw new IllegalArgumentException("not a valid owner user id: '" + ownerId + "'");
        }
        if (templateId != null) {
            ReportIds.requireValid("templateId", templateId);
        }
        String now = Timestamps.now();
        String message = "Report queued";
        ReportStore.Update update = await(store.register(reportId, ReportState.fields(
                ReportState.F_REPORT_ID, reportId, ReportState.F_OWNER, ownerId, ReportState.F_TEMPLATE, templateId,
                ReportState.F_STATUS, ReportStatus.PENDING.wire(), ReportState.F_PROGRESS, 0,
                ReportState.F_MESSAGE, message, ReportState.F_CREATED_AT, now, ReportState.F_UPDATED_AT, now),
                stateTtl));
        return publishStatus(reportId, ReportStatus.PENDING, update, message);
    }

    /** A {@code running} status with {@code progress} (0-100) and a human message. */
    public long progress(String reportId, int progress, String message) {
        return status(reportId, ReportStatus.RUNNING, progress, message);
    }

    /**
     * Any non-terminal status, or {@code cancelled}. Use {@link #complete} and {@link #fail} for
     * {@code completed} and {@code error}, which carry more than a message.
     */
    public long status(String reportId, ReportStatus status, int progress, String message) {
        Objects.requireNonNull(status, "status");
        if (status == ReportStatus.COMPLETED || status == ReportStatus.ERROR) {
            throw new IllegalArgumentException("use complete() or fail() for status " + status.wire());
        }
        if (progress < 0 || progress > 100) {
            throw new IllegalArgumentException("progress must be 0-100, was " + progress);
        }
        ReportStore.Update update = change(reportId, ReportState.fields(ReportState.F_STATUS, status.wire(),
                ReportState.F_PROGRESS, progress, ReportState.F_MESSAGE, message == null ? "" : message,
                ReportState.F_UPDATED_AT, Timestamps.now()));
        return publishStatus(reportId, status, update, message);
    }

    /**
     * Completes the report at 100 %: watchers get {@code report_status} (completed) and
     * {@code report_completed}; an owned report's owner also gets {@code report_completed} on
     * {@code user:<ownerId>:reports} (the notifications route).
     */
    public long complete(String reportId, String downloadUrl, String format, long fileSize) {
        Objects.requireNonNull(downloadUrl, "downloadUrl");
        Objects.requireNonNull(format, "format");
        if (fileSize < 0) {
            throw new IllegalArgumentException("fileSize must not be negative");
        }
        String message = "Report completed";
        ReportStore.Update update = change(reportId, ReportState.fields(ReportState.F_STATUS,
                ReportStatus.COMPLETED.wire(), ReportState.F_PROGRESS, 100, ReportState.F_MESSAGE, message,
                ReportState.F_DOWNLOAD_URL, downloadUrl, ReportState.F_FORMAT, format, ReportState.F_FILE_SIZE, fileSize,
                ReportState.F_UPDATED_AT, Timestamps.now()));
        long seq = publishStatus(reportId, ReportStatus.COMPLETED, update, message);
        ObjectNode completed = ReportMessages.completed(reportId, downloadUrl, format, fileSize);
        await(publisher.broadcast(ReportChannels.progress(reportId), completed));
        if (update.ownerId() != null) {
            await(publisher.broadcast(ReportChannels.userReports(update.ownerId()), completed));
        }
        return seq;
    }

    /** Fails the report: watchers get {@code report_status} (error) and an {@code error} with the message. */
    public long fail(String reportId, String message) {
        String text = message == null ? "Report generation failed" : message;
        ReportStore.Update update = change(reportId, ReportState.fields(ReportState.F_STATUS, ReportStatus.ERROR.wire(),
                ReportState.F_MESSAGE, text, ReportState.F_UPDATED_AT, Timestamps.now()));
        long seq = publishStatus(reportId, ReportStatus.ERROR, update, text);
        await(publisher.broadcast(ReportChannels.progress(reportId), ReportMessages.failed(reportId, text)));
        return seq;
    }

    /** The producer stopped the report (usually after a cancel request): watchers see status {@code cancelled}. */
    public long cancelled(String reportId, String message) {
        String text = message == null ? "Report cancelled" : message;
        ReportStore.Update update = change(reportId, ReportState.fields(ReportState.F_STATUS,
                ReportStatus.CANCELLED.wire(), ReportState.F_MESSAGE, text, ReportState.F_UPDATED_AT, Timestamps.now()));
        return publishStatus(reportId, ReportStatus.CANCELLED, update, text);
    }

    /** The stored state, empty when the report is unknown or expired. */
    public Optional<ReportState> state(String reportId) {
        ReportIds.requireValid("reportId", reportId);
        return Optional.ofNullable(await(store.read(reportId)));
    }

    /** Polls the durable cancellation flag. */
    public boolean isCancelRequested(String reportId) {
        return cancelRequest(reportId).isPresent();
    }

    public Optional<CancelRequest> cancelRequest(String reportId) {
        ReportIds.requireValid("reportId", reportId);
        return Optional.ofNullable(await(store.cancelRequest(reportId)));
    }

    /**
     * Calls {@code callback} once when a client asks to cancel the report, including a request
     * recorded before this call or while the producer's pub/sub connection was down (checked on
     * every (re)subscription). Listening stops when the report reaches a terminal state.
     */
    public void onCancel(String reportId, Consumer<CancelRequest> callback) {
        ReportIds.requireValid("reportId", reportId);
        Objects.requireNonNull(callback, "callback");
        watches.put(reportId, new CancelWatch(callback));
        String topic = keys.reportCancelTopic(reportId);
        await((sharded ? pubSub.async().ssubscribe(topic) : pubSub.async().subscribe(topic)).toCompletableFuture());
    }

    /**
     * SSUBSCRIBEs every watched cancel topic again, each on its slot's current master (a no-op where
     * it is still subscribed); each confirmation re-reads the durable cancel flag, so a cancel made
     * while the subscription was lost still fires. Runs on a topology change of a cluster.
     */
    private void resubscribeWatched() {
        for (String reportId : watches.keySet()) {
            String topic = keys.reportCancelTopic(reportId);
            pubSub.async().ssubscribe(topic).exceptionally(error -> {
                log.log(System.Logger.Level.WARNING, "could not re-subscribe " + topic + " after a topology change: "
                        + error);
                return null;
            });
        }
    }

    private ReportStore.Update change(String reportId, Map<String, String> fields) {
        ReportIds.requireValid("reportId", reportId);
        ReportStore.Update update = await(store.update(reportId, fields, stateTtl));
        if (update.seq() == ReportStore.NOT_FOUND) {
            throw new IllegalStateException("report " + reportId + " is unknown or expired; register it first");
        }
        if (update.seq() == ReportStore.FINISHED) {
            throw new IllegalStateException("report " + reportId + " already completed, failed or was cancelled");
        }
        return update;
    }

    private long publishStatus(String reportId, ReportStatus status, ReportStore.Update update, String message) {
        await(publisher.broadcast(ReportChannels.progress(reportId),
                ReportMessages.status(reportId, status, update.progress(), message, update.seq())));
        if (status.isTerminal()) {
            stopWatching(reportId);
        }
        return update.seq();
    }

    private void stopWatching(String reportId) {
        if (watches.remove(reportId) != null) {
            String topic = keys.reportCancelTopic(reportId);
            if (sharded) {
                pubSub.async().sunsubscribe(topic);
            } else {
                pubSub.async().unsubscribe(topic);
            }
        }
    }

    private void fire(String reportId, CancelRequest request) {
        CancelWatch watch = watches.get(reportId);
        if (watch == null || request == null || !watch.fired.compareAndSet(false, true)) {
            return;
        }
        callbacks.execute(() -> {
            try {
                watch.callback.accept(request);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, "cancel callback for report " + reportId + " failed", e);
            }
        });
    }

    private <T> T await(CompletableFuture<T> future) {
        return Futures.await(future, timeout);
    }

    @Override
    public void close() {
        callbacks.shutdown();
        closeConnections.run();
    }

    private static final class CancelWatch {
        final Consumer<CancelRequest> callback;
        final AtomicBoolean fired = new AtomicBoolean();

        CancelWatch(Consumer<CancelRequest> callback) {
            this.callback = callback;
        }
    }

    /** Runs on Lettuce's event loop: only hands work off, never blocks. */
    private final class CancelListener extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String channel, String message) {
            String reportId = keys.reportOfCancelTopic(channel);
            if (reportId == null) {
                return;
            }
            try {
                fire(reportId, CancelRequest.decode(message));
            } catch (IllegalArgumentException e) {
                log.log(System.Logger.Level.WARNING, "malformed cancel request on " + channel);
            }
        }

        @Override
        public void smessage(String channel, String message) {
            message(channel, message);
        }

        @Override
        public void ssubscribed(String channel, long count) {
            subscribed(channel, count);
        }

        @Override
        public void subscribed(String channel, long count) {
            String reportId = keys.reportOfCancelTopic(channel);
            if (reportId == null || !watches.containsKey(reportId)) {
                return;
            }
            // A request recorded while nobody listened (producer restarting, connection lost) is found here.
            store.cancelRequest(reportId).thenAccept(request -> fire(reportId, request))
                    .exceptionally(error -> {
                        log.log(System.Logger.Level.WARNING, "could not read cancel flag of report " + reportId
                                + ": " + error);
                        return null;
                    });
        }
    }
}
