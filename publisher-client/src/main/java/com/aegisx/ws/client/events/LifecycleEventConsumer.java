package com.aegisx.ws.client.events;

import com.aegisx.ws.client.RedisConnector;
import com.aegisx.ws.client.RedisTarget;
import com.aegisx.ws.protocol.KeySchema;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Reads the lifecycle stream, all {@value KeySchema#EVENT_SHARDS} shards ({@code <prefix>:events:{s0}} to
 * {@code {s15}}), in a consumer group, at least once: an event is acknowledged (XACK) only after
 * the handler returned; one whose handler threw stays pending and is handed to this consumer again
 * (after a pause, and on the next start with the same consumer name). Run one per service
 * instance, each with its own consumer name, in the same group to share the work, or in different
 * groups to each get every event.
 *
 * <pre>{@code
 * try (var events = LifecycleEventConsumer.start("redis://localhost:6379", KeySchema.defaults(),
 *         "audit", "audit-1", event -> audit.record(event.type(), event.userId()))) { ... }
 * }</pre>
 *
 * Any URL the publisher client takes (standalone, Sentinel, Redis Cluster; {@link RedisTarget}). On
 * a standalone Redis or Sentinel one blocking XREADGROUP covers every shard; on a Redis Cluster the
 * shards live on different masters, so each round reads them all (pipelined, without blocking) and
 * an empty round waits {@link #CLUSTER_POLL} before the next. One thread and one Redis connection
 * of its own. Events are in order per connection and per user (each has one shard), not across shards.
 */
public final class LifecycleEventConsumer implements AutoCloseable {

    private static final System.Logger log = System.getLogger(LifecycleEventConsumer.class.getName());
    static final Duration BLOCK = Duration.ofSeconds(1);
    static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    /** On a Redis Cluster: the wait after a round that found nothing (no blocking read spans masters). */
    public static final Duration CLUSTER_POLL = Duration.ofMillis(100);
    static final int BATCH = 100;
    private static final long COMMAND_TIMEOUT_MS = BLOCK.toMillis() + 10_000;

    /** Handles one event; throwing leaves it pending for another try. */
    @FunctionalInterface
    public interface Handler {
        void handle(LifecycleEvent event) throws Exception;
    }

    private final RedisConnector connector;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final boolean cluster;
    private final List<String> streams;
    private final String group;
    private final Consumer<String> consumer;
    private final Handler handler;
    private final Thread thread;
    private volatile boolean running = true;

    private LifecycleEventConsumer(String redisUrl, KeySchema keys, String group, String consumerName, Handler handler,
                                   boolean fromStart) {
        this.connector = RedisConnector.connect(RedisTarget.parse(redisUrl), new RedisConnector.Settings(
                Duration.ofMillis(COMMAND_TIMEOUT_MS), RedisConnector.DEFAULT_CONNECT_TIMEOUT,
                RedisConnector.DEFAULT_TOPOLOGY_REFRESH, null, null));
        this.redis = connector.async();
        this.cluster = connector.mode() == RedisTarget.Mode.CLUSTER;
        this.streams = keys.eventShards();
        this.group = group;
        this.consumer = Consumer.from(group, consumerName);
        this.handler = handler;
        try {
            createGroup(fromStart);
        } catch (RuntimeException e) {
            connector.close();
            throw e;
        }
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

    private void createGroup(boolean fromStart) {
        for (String stream : streams) {
            try {
                await(redis.xgroupCreate(XReadArgs.StreamOffset.from(stream, fromStart ? "0" : "$"), group,
                        XGroupCreateArgs.Builder.mkstream()).toCompletableFuture());
            } catch (RedisBusyException e) {
                // BUSYGROUP: the group exists; keep its position.
            }
        }
    }

    /** The next batch: this consumer's unacknowledged entries ({@code pending}), or new ones. */
    private List<StreamMessage<String, String>> read(boolean pending) {
        if (!cluster) {
            @SuppressWarnings("unchecked")
            XReadArgs.StreamOffset<String>[] offsets = streams.stream()
                    .map(stream -> pending ? XReadArgs.StreamOffset.from(stream, "0")
                            : XReadArgs.StreamOffset.lastConsumed(stream))
                    .toArray(XReadArgs.StreamOffset[]::new);
            XReadArgs args = pending ? XReadArgs.Builder.count(BATCH) : XReadArgs.Builder.count(BATCH).block(BLOCK);
            return await(redis.xreadgroup(consumer, args, offsets).toCompletableFuture());
        }
        // One command per shard (each is in its own slot), all sent at once.
        List<CompletableFuture<List<StreamMessage<String, String>>>> reads = new ArrayList<>();
        for (String stream : streams) {
            reads.add(redis.xreadgroup(consumer, XReadArgs.Builder.count(BATCH), pending
                    ? XReadArgs.StreamOffset.from(stream, "0") : XReadArgs.StreamOffset.lastConsumed(stream))
                    .toCompletableFuture());
        }
        List<StreamMessage<String, String>> batch = new ArrayList<>();
        for (CompletableFuture<List<StreamMessage<String, String>>> read : reads) {
            batch.addAll(await(read));
        }
        return batch;
    }

    private void run() {
        boolean pending = true; // first our own unacknowledged entries (a previous run's), then new ones
        while (running) {
            try {
                List<StreamMessage<String, String>> batch = read(pending);
                boolean failed = false;
                for (StreamMessage<String, String> message : batch) {
                    if (!running) {
                        return;
                    }
                    try {
                        handler.handle(new LifecycleEvent(message.getId(), message.getBody()));
                        await(redis.xack(message.getStream(), group, message.getId()).toCompletableFuture());
                    } catch (Exception e) {
                        failed = true;
                        log.log(System.Logger.Level.WARNING, "Lifecycle event {0} not handled, it stays pending: {1}",
                                message.getId(), e.toString());
                    }
                }
                if (failed) {
                    pause(RETRY_PAUSE);
                    pending = true;
                } else if (pending && batch.isEmpty()) {
                    pending = false;
                } else if (cluster && !pending && batch.isEmpty()) {
                    pause(CLUSTER_POLL);
                }
            } catch (RuntimeException e) {
                if (running) {
                    log.log(System.Logger.Level.WARNING, "Reading lifecycle events failed, retrying: {0}", e.toString());
                    pause(RETRY_PAUSE);
                }
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("Redis did not answer in " + COMMAND_TIMEOUT_MS + " ms", e);
        }
    }

    private void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(COMMAND_TIMEOUT_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connector.close();
    }
}
