package com.aegisx.ws.server.metrics;

import com.aegisx.ws.protocol.ErrorCodes;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Every meter of a node, in one Micrometer registry scraped as Prometheus text at {@code GET /metrics}
 * (the README lists them).
 *
 * <p>The fan-out path only touches {@link LongAdder}s (a few adds per pub/sub message, none per
 * socket); gauges read state the node keeps anyway (the hub's connection map, the topic table, the
 * outbound queues) when Prometheus scrapes, not on the hot path.
 */
public final class NodeMetrics implements FanoutMetrics, AutoCloseable {

    /**
     * One pub/sub message in this many (a power of two) is timed, per thread, for the two pub/sub
     * timers: {@code ws.pubsub.dispatch} (by {@code redis/PubSubDispatcher}) and
     * {@code ws.pubsub.publish.age} (here). Reading the clock, parsing the publisher's timestamp and
     * updating a histogram for every message was a measurable part of a user message's CPU
     * (load-tests/README.md, personal). A fixed stride, not a random draw, so the sample has no bias
     * of its own; the message counters still count every message.
     */
    public static final int SAMPLED_EVERY = 16;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    private final LongAdder channelBroadcasts = new LongAdder();
    private final LongAdder userMessages = new LongAdder();
    private final LongAdder deliveries = new LongAdder();
    private final LongAdder deliveredBytes = new LongAdder();
    private final Timer dispatchDelay;
    private final Timer publishAge;
    /**
     * Messages seen for {@link #SAMPLED_EVERY}; written by the dispatch workers and the event
     * loop without synchronization: a lost update only moves which message is measured.
     */
    private int ageSeen;
    private Sources sources;
    private List<Object> deliverySources = List.of();

    /** Frames the fan-out wrote to local sockets so far (the admin console's "messages out"). */
    public long deliveries() {
        return deliveries.sum();
    }

    /** Pub/sub messages (broadcasts and user messages) received with a local listener so far. */
    public long pubSubReceived() {
        return channelBroadcasts.sum() + userMessages.sum();
    }

    public NodeMetrics(String nodeId) {
        registry.config().commonTags(Tags.of("node", nodeId));
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);

        FunctionCounter.builder("ws.pubsub.received", channelBroadcasts, LongAdder::sum)
                .description("Pub/sub messages received from Redis that had a local listener, by kind")
                .tag("kind", "channel").register(registry);
        FunctionCounter.builder("ws.pubsub.received", userMessages, LongAdder::sum)
                .description("Pub/sub messages received from Redis that had a local listener, by kind")
                .tag("kind", "user").register(registry);
        FunctionCounter.builder("ws.messages.out", deliveries, LongAdder::sum)
                .description("Frames written to local sockets by the pub/sub fan-out (one per receiving socket)")
                .register(registry);
        FunctionCounter.builder("ws.bytes.out", deliveries, ignored -> deliveredBytes.sum())
                .description("Payload bytes written to local sockets by the pub/sub fan-out")
                .register(registry);
        dispatchDelay = Timer.builder("ws.pubsub.dispatch")
                .description("Time from a pub/sub message leaving Lettuce's event loop to the end of its local fan-out"
                        + " (sampled: one message in " + SAMPLED_EVERY + " of each dispatching thread is timed)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(5))
                .register(registry);
        publishAge = Timer.builder("ws.pubsub.publish.age")
                .description("Time from the publisher's timestamp (ms precision, publisher clock) to the start of the local fan-out"
                        + " (sampled: one message in " + SAMPLED_EVERY + " is measured)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        for (String code : errorCodes()) {
            FunctionCounter.builder("ws.errors", code, ErrorTally::count)
                    .description("error replies sent to clients, by machine code")
                    .tag("code", code).register(registry);
        }
    }

    /**
     * The node's state the gauges read at scrape time (never on the hot path). Plain functions, so
     * this package needs neither the core nor the adapters.
     */
    public interface Sources {
        int connections();

        long subscriptions();

        long channels();

        int topics();

        long queuedBytes();

        long maxQueuedBytes();

        long malformedPayloads();

        long dispatchPending();

        /** Bytes the dispatch workers allocated so far; negative when the JVM cannot tell. */
        long dispatchAllocatedBytes();

        /** CPU nanoseconds the dispatch workers used so far; negative when the JVM cannot tell. */
        long dispatchCpuNanos();

        long dispatchDropped();

        /** Deliveries to one socket that threw (the fan-out went on with the others). */
        long memberFailures();

        long heartbeatFailures();

        long rateLimited();

        long rateLimitCloses();

        long tokenExpiredCloses();

        /** Upgrades refused by the per-address throttle (WEBSOCKET_UPGRADE_RATE_PER_IP), before Redis. */
        default long upgradesThrottled() {
            return 0;
        }

        /** {@code since} replays answered recovered:false because the socket's replay budget was spent. */
        default long historyReplaysRefused() {
            return 0;
        }

        boolean redisConnected();

        boolean ready();
    }

    /** Gauges and counters that read the node's existing state; called once the node is assembled. */
    public void bind(Sources sources, SocketCounters counters) {
        this.sources = sources; // gauges hold their object weakly
        Gauge.builder("ws.connections", sources, Sources::connections)
                .description("WebSocket connections open on this node").register(registry);
        Gauge.builder("ws.subscriptions", sources, Sources::subscriptions)
                .description("Channel subscriptions of the sockets on this node").register(registry);
        Gauge.builder("ws.channels", sources, Sources::channels)
                .description("Distinct channels with at least one local subscriber").register(registry);
        Gauge.builder("ws.pubsub.topics", sources, Sources::topics)
                .description("Redis pub/sub topics this node listens to (channels and user topics)").register(registry);
        Gauge.builder("ws.outbound.queued", sources, Sources::queuedBytes)
                .description("Bytes queued for writing on all local sockets").baseUnit("bytes").register(registry);
        Gauge.builder("ws.outbound.queued.max", sources, Sources::maxQueuedBytes)
                .description("Largest outbound queue of one local socket").baseUnit("bytes").register(registry);
        FunctionCounter.builder("ws.connections.opened", counters.opened, Number::doubleValue)
                .description("WebSocket connections accepted").register(registry);
        FunctionCounter.builder("ws.connections.closed", counters.closed, Number::doubleValue)
                .description("WebSocket connections closed").register(registry);
        FunctionCounter.builder("ws.slow.consumer.closes", counters.slowConsumers, Number::doubleValue)
                .description("Sockets closed because their outbound queue passed WEBSOCKET_MAX_OUTBOUND_BYTES")
                .register(registry);
        FunctionCounter.builder("ws.binary.rejected", counters.binaryRejected, Number::doubleValue)
                .description("Sockets closed for sending a binary frame").register(registry);
        FunctionCounter.builder("ws.messages.in", counters.messagesIn, LongAdder::sum)
                .description("Text frames received from clients").register(registry);
        FunctionCounter.builder("ws.bytes.in", counters.bytesIn, LongAdder::sum)
                .description("Characters of text frames received from clients (bytes for ASCII)")
                .register(registry);
        FunctionCounter.builder("ws.pubsub.malformed", sources, Sources::malformedPayloads)
                .description("Pub/sub payloads dropped because they were not a JSON object or envelope").register(registry);
        Gauge.builder("ws.pubsub.dispatch.pending", sources, Sources::dispatchPending)
                .description("Pub/sub messages handed to the dispatch workers and not yet fanned out").register(registry);
        FunctionCounter.builder("ws.pubsub.dispatch.allocated", sources, s -> Math.max(0, s.dispatchAllocatedBytes()))
                .description("Bytes allocated by the dispatch workers (per delivery: divide by deliveries; load-tests"
                        + " report it)").baseUnit("bytes").register(registry);
        FunctionCounter.builder("ws.pubsub.dispatch.cpu", sources, s -> Math.max(0, s.dispatchCpuNanos()) / 1e9)
                .description("CPU time of the dispatch workers (beside ws_pubsub_dispatch_seconds: a fan-out's wall"
                        + " time against its CPU time)").baseUnit("seconds").register(registry);
        FunctionCounter.builder("ws.pubsub.dropped", sources, Sources::dispatchDropped)
                .description("Pub/sub messages (or parts of a split fan-out) dropped because their dispatch worker was DISPATCH_QUEUE_CAPACITY behind")
                .register(registry);
        FunctionCounter.builder("ws.fanout.member.failures", sources, Sources::memberFailures)
                .description("Deliveries to one socket that threw; the fan-out went on with the others").register(registry);
        FunctionCounter.builder("ws.heartbeat.failures", sources, Sources::heartbeatFailures)
                .description("Heartbeat rounds and activity flushes that failed (Redis unreachable)").register(registry);
        FunctionCounter.builder("ws.rate.limited", sources, Sources::rateLimited)
                .description("Client messages dropped by the per-socket rate limit").register(registry);
        FunctionCounter.builder("ws.rate.limit.closes", sources, Sources::rateLimitCloses)
                .description("Sockets closed for going on sending after rate_limited").register(registry);
        FunctionCounter.builder("ws.token.expired.closes", sources, Sources::tokenExpiredCloses)
                .description("Sockets closed because their token expired").register(registry);
        FunctionCounter.builder("ws.history.replays.refused", sources, Sources::historyReplaysRefused)
                .description("Subscribes with since answered recovered:false (replay_rate_limited): the socket's"
                        + " replay budget (HISTORY_REPLAY_BURST, HISTORY_REPLAY_RATE) was spent").register(registry);
        FunctionCounter.builder("ws.upgrades.throttled", sources, Sources::upgradesThrottled)
                .description("Upgrades refused (429) by the per-address throttle before Redis was asked")
                .register(registry);
        FunctionCounter.builder("ws.internal.errors", InternalErrors.class, c -> InternalErrors.count())
                .description("Failures of work nobody waited for (logged as 'Unexpected failure in ...')")
                .register(registry);
        Gauge.builder("ws.redis.connected", sources, s -> s.redisConnected() ? 1 : 0)
                .description("1 while both Redis connections (commands, pub/sub) are open").register(registry);
        Gauge.builder("ws.node.ready", sources, s -> s.ready() ? 1 : 0)
                .description("1 while GET /ready answers 200").register(registry);
    }

    /** Held here: Micrometer keeps only a weak reference to a function counter's state object. */
    private final java.util.List<java.util.function.LongSupplier> redisFailoverSources = new java.util.ArrayList<>();

    /** Counters of Redis failovers followed and topics re-subscribed (Sentinel, Cluster). */
    public void bindRedisFailover(java.util.function.LongSupplier failovers, java.util.function.LongSupplier resubscriptions,
                                  java.util.function.LongSupplier droppedFromReplaced) {
        redisFailoverSources.add(failovers);
        redisFailoverSources.add(resubscriptions);
        redisFailoverSources.add(droppedFromReplaced);
        FunctionCounter.builder("ws.pubsub.replaced.dropped", droppedFromReplaced, s -> s.getAsLong())
                .description("Messages a replaced pub/sub connection still delivered after the swap, dropped (never delivered twice)")
                .register(registry);
        FunctionCounter.builder("ws.redis.failovers", failovers, s -> s.getAsLong())
                .description("Redis failovers this node followed (Sentinel promotion, new cluster master)")
                .register(registry);
        FunctionCounter.builder("ws.redis.resubscriptions", resubscriptions, s -> s.getAsLong())
                .description("Pub/sub topics re-subscribed after a reconnect, failover or slot migration")
                .register(registry);
    }

    private java.util.function.LongSupplier readPauses;

    /** Pauses Lettuce's event loops took to read several of Redis's messages per wake-up (REDIS_READ_BATCH_MICROS). */
    public void bindRedisReads(java.util.function.LongSupplier readPauses) {
        this.readPauses = readPauses; // meters hold their object weakly: kept here
        FunctionCounter.builder("ws.redis.read.pauses", readPauses, s -> s.getAsLong())
                .description("Pauses Lettuce's event loops took to gather Redis's messages while they came often"
                        + " (REDIS_READ_BATCH_MICROS); 0 while traffic is slower than the window")
                .register(registry);
    }

    /** What the history gap filler and the pub/sub probe count (they live outside this package). */
    public void bindDelivery(java.util.function.LongSupplier gapFilled, java.util.function.LongSupplier duplicatesDropped,
                             java.util.function.LongSupplier gapsUnrecoverable, java.util.function.LongSupplier pubSubReplaced,
                             java.util.function.BooleanSupplier pubSubStale) {
        // Meters hold their object weakly: these lambdas must be kept here.
        deliverySources = List.of(gapFilled, duplicatesDropped, gapsUnrecoverable, pubSubReplaced, pubSubStale);
        FunctionCounter.builder("ws.history.gap.filled", gapFilled, s -> s.getAsLong())
                .description("Messages of history channels this node missed on pub/sub and read from the history instead")
                .register(registry);
        FunctionCounter.builder("ws.history.duplicates.dropped", duplicatesDropped, s -> s.getAsLong())
                .description("History-channel messages dropped because their offset was already delivered").register(registry);
        FunctionCounter.builder("ws.history.gap.unrecoverable", gapsUnrecoverable, s -> s.getAsLong())
                .description("Gaps the node could not fill (history trimmed, epoch changed, Redis unavailable)")
                .register(registry);
        FunctionCounter.builder("ws.pubsub.replaced", pubSubReplaced, s -> s.getAsLong())
                .description("Pub/sub connections replaced because the probe found them silent").register(registry);
        Gauge.builder("ws.pubsub.stale", pubSubStale, s -> s.getAsBoolean() ? 1 : 0)
                .description("1 while the pub/sub probe has not come back within PUBSUB_PROBE_TIMEOUT").register(registry);
    }

    /**
     * Lettuce's command latency recorder: timers {@code lettuce.command.completion} and
     * {@code lettuce.command.firstresponse} per command type (count, sum, max; no buckets, which
     * would be ~70 series per command).
     */
    public CommandLatencyRecorder redisLatencyRecorder() {
        return new MicrometerCommandLatencyRecorder(registry, MicrometerOptions.builder()
                .histogram(false)
                .targetPercentiles(new double[0])
                .build());
    }

    @Override
    public void onPubSubMessage(boolean channelBroadcast, String timestamp) {
        onPubSubMessage(channelBroadcast, timestamp, 0);
    }

    @Override
    public void onPubSubMessage(boolean channelBroadcast, String text, int at) {
        (channelBroadcast ? channelBroadcasts : userMessages).increment();
        if (text == null || ++ageSeen % SAMPLED_EVERY != 0) {
            return;
        }
        long sent = IsoMillis.parse(text, at);
        if (sent == IsoMillis.INVALID) {
            try {
                sent = Instant.parse(text.substring(at)).toEpochMilli();
            } catch (DateTimeParseException ignored) {
                return; // a publisher-chosen timestamp that is not ISO-8601: nothing to measure
            }
        }
        long ageMillis = System.currentTimeMillis() - sent;
        if (ageMillis >= 0) {
            publishAge.record(ageMillis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onDelivered(int sockets, int frameBytes) {
        deliveries.add(sockets);
        deliveredBytes.add((long) sockets * frameBytes);
    }

    @Override
    public void onDispatched(long nanos) {
        dispatchDelay.record(nanos, TimeUnit.NANOSECONDS);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    private static java.util.List<String> errorCodes() {
        java.util.List<String> codes = new java.util.ArrayList<>();
        for (Field field : ErrorCodes.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    codes.add((String) field.get(null));
                } catch (IllegalAccessException ignored) {
                    // public constants only
                }
            }
        }
        codes.add(ErrorTally.OTHER);
        return codes;
    }
}
