package com.aegisx.ws.client.events;

import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.List;

/**
 * Reads the lifecycle stream (all {@value KeySchema#EVENT_SHARDS} shards, {@code <prefix>:events:{s0}} to
 * {@code {s15}}, in one blocking XREADGROUP) in a consumer group, at least once: an event is acknowledged (XACK)
 * only after the handler returned; one whose handler threw stays pending and is handed to this
 * consumer again (after a pause, and on the next start with the same consumer name). Run one per
 * service instance, each with its own consumer name, in the same group to share the work, or in
 * different groups to each get every event.
 *
 * <pre>{@code
 * try (var events = LifecycleEventConsumer.start("redis://localhost:6379", KeySchema.defaults(),
 *         "audit", "audit-1", event -> audit.record(event.type(), event.userId()))) { ... }
 * }</pre>
 *
 * One thread and one Redis connection of its own (XREADGROUP blocks it). Events are in order per
 * connection and per user (each has one shard), not across shards. For a standalone Redis or
 * Sentinel URL; on a Redis Cluster read each shard on its own (README: lifecycle events).
 */
public final class LifecycleEventConsumer implements AutoCloseable {

    private static final System.Logger log = System.getLogger(LifecycleEventConsumer.class.getName());
    static final Duration BLOCK = Duration.ofSeconds(1);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    static final int BATCH = 100;

    /** Handles one event; throwing leaves it pending for another try. */
    @FunctionalInterface
    public interface Handler {
        void handle(LifecycleEvent event) throws Exception;
    }

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final List<String> streams;
    private final String group;
    private final Consumer<String> consumer;
    private final Handler handler;
    private final Thread thread;
    private volatile boolean running = true;

    private LifecycleEventConsumer(String redisUrl, KeySchema keys, String group, String consumerName, Handler handler,
                                   boolean fromStart) {
        this.client = RedisClient.create(redisUrl);
        this.connection = client.connect();
        this.streams = keys.eventShards();
        this.group = group;
        this.consumer = Consumer.from(group, consumerName);
        this.handler = handler;
        createGroup(connection.sync(), fromStart);
        this.thread = new Thread(this::run, "ws-events-" + consumerName);
        thread.setDaemon(true);
    }

    /** Starts consuming; a new group starts with events written from now on. */
    public static LifecycleEventConsumer start(String redisUrl, KeySchema keys, String group, String consumerName,
                                               Handler handler) {
        return start(redisUrl, keys, group, consumerName, handler, false);
    }

    /** @param fromStart a new group starts with the oldest event still in the stream */
    public static LifecycleEventConsumer start(String redisUrl, KeySchema keys, String group, String consumerName,
                                               Handler handler, boolean fromStart) {
        LifecycleEventConsumer started = new LifecycleEventConsumer(redisUrl, keys, group, consumerName, handler, fromStart);
        started.thread.start();
        return started;
    }

    private void createGroup(RedisCommands<String, String> redis, boolean fromStart) {
        for (String stream : streams) {
            try {
                redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, fromStart ? "0" : "$"), group,
                        XGroupCreateArgs.Builder.mkstream());
            } catch (io.lettuce.core.RedisBusyException e) {
                // BUSYGROUP: the group exists; keep its position.
            }
        }
    }

    @SuppressWarnings("unchecked")
    private XReadArgs.StreamOffset<String>[] offsets(boolean pending) {
        return streams.stream()
                .map(stream -> pending ? XReadArgs.StreamOffset.from(stream, "0") : XReadArgs.StreamOffset.lastConsumed(stream))
                .toArray(XReadArgs.StreamOffset[]::new);
    }

    private void run() {
        RedisCommands<String, String> redis = connection.sync();
        boolean pending = true; // first our own unacknowledged entries (a previous run's), then new ones
        while (running) {
            try {
                List<StreamMessage<String, String>> batch = pending
                        ? redis.xreadgroup(consumer, XReadArgs.Builder.count(BATCH), offsets(true))
                        : redis.xreadgroup(consumer, XReadArgs.Builder.count(BATCH).block(BLOCK), offsets(false));
                boolean failed = false;
                for (StreamMessage<String, String> message : batch) {
                    if (!running) {
                        return;
                    }
                    try {
                        handler.handle(new LifecycleEvent(message.getId(), message.getBody()));
                        redis.xack(message.getStream(), group, message.getId());
                    } catch (Exception e) {
                        failed = true;
                        log.log(System.Logger.Level.WARNING, "Lifecycle event {0} not handled, it stays pending: {1}",
                                message.getId(), e.toString());
                    }
                }
                if (failed) {
                    pause();
                    pending = true;
                } else if (pending && batch.isEmpty()) {
                    pending = false;
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.log(System.Logger.Level.WARNING, "Reading lifecycle events failed, retrying: {0}", e.toString());
                    pause();
                }
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(BLOCK.toMillis() * 3);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
        client.shutdown();
    }
}
