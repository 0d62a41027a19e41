package com.aegisx.ws.server.redis;

import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.client.RedisConnector;
import com.aegisx.ws.client.RedisTarget;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's Redis connections, in the mode {@code REDIS_URL} names: one for commands (Lettuce
 * pipelines every caller over it; on a cluster it routes each command to its slot's master) and
 * the pub/sub {@link TopicLink} (classic, or sharded per master on a cluster).
 *
 * <p>Standalone: Lettuce reconnects both connections after an outage and re-issues the
 * subscriptions; the node re-registers its state when its heartbeat finds it missing. Sentinel:
 * Lettuce asks the sentinels for the master at each reconnect, so after a failover both
 * connections land on the promoted replica; a reconnect to another address than before counts as a
 * failover and {@link #onFailover} re-registers everything, since the replica may lack the last
 * writes. Cluster: see {@link ShardedTopicLink}.
 */
public final class RedisResources implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisResources.class);


    private final RedisConnector connector;
    private final TopicLink pubSub;
    private final IntSupplier subscribedTopics;
    private final ClientResources resources;
    /** Lettuce's event loops when their reads are paced (REDIS_READ_BATCH_MICROS), else null. */
    private final PacedEventLoops pacedLoops;
    /** Where each read of a Lettuce channel begins and ends, told to the dispatcher (see {@link #deliverTo}). */
    private final ReadBoundaries readBoundaries;
    private final AtomicLong failovers = new AtomicLong();
    private volatile Runnable failoverHandler = () -> { };
    private volatile SocketAddress master;

    /** Lets the links exist before the dispatcher they deliver to (which needs the core, which needs the links). */
    private final DeliveryForwarder forwarder = new DeliveryForwarder();

    private RedisResources(RedisTarget target, Duration topologyRefresh, Duration commandTimeout, Duration connectTimeout,
                           ClientResources resources, PacedEventLoops pacedLoops, ReadBoundaries readBoundaries,
                           IntSupplier subscribedTopics) {
        this.resources = resources;
        this.pacedLoops = pacedLoops;
        this.readBoundaries = readBoundaries;
        this.subscribedTopics = subscribedTopics;
        RedisConnectionStateListener watcher = target.mode() == RedisTarget.Mode.SENTINEL ? sentinelWatcher(target.uri()) : null;
        this.connector = RedisConnector.connect(target, new RedisConnector.Settings(commandTimeout, connectTimeout,
                topologyRefresh, resources, watcher));
        try {
            if (connector.client() instanceof RedisClusterClient cluster) {
                this.pubSub = new ShardedTopicLink(cluster, connector.target().uri(),
                        connector.target().tls().sslOptions(), resources, forwarder, commandTimeout,
                        this::failedOver);
            } else {
                RedisClient client = (RedisClient) connector.client();
                RedisURI uri = connector.uri();
                // The first connection is opened here (startup may wait); replacements never block.
                this.pubSub = new ClassicTopicLink(client.connectPubSub(uri),
                        () -> client.connectPubSubAsync(StringCodec.UTF8, uri), forwarder, commandTimeout);
            }
        } catch (RuntimeException e) {
            connector.close();
            throw e;
        }
    }

    /**
     * Connects in the mode of {@code target}; pub/sub messages go where {@link #deliverTo} says.
     * Every command's latency is recorded with {@code latencyRecorder} (may be null); reconnect
     * attempts back off exponentially up to {@code reconnectMaxDelay}.
     * {@code subscribedTopics} counts what Lettuce re-subscribes after a reconnect (metrics).
     * {@code readBatchMicros} above 0: Lettuce's event loops pace their reads while they come
     * more often than that ({@link PacedIoHandler}); 0: Lettuce's own loops.
     */
    public static RedisResources connect(RedisTarget target, Duration topologyRefresh, Duration commandTimeout,
                                         Duration connectTimeout, Duration reconnectMaxDelay,
                                         CommandLatencyRecorder latencyRecorder, IntSupplier subscribedTopics,
                                         int readBatchMicros) {
        // Lettuce's default backoff doubles up to 30 s: a master that is back (or promoted) after a
        // few seconds of failed attempts waited for another 2-4 s. Capped, the reconnect follows
        // within about the cap of the new master being reachable.
        DefaultClientResources.Builder builder = DefaultClientResources.builder()
                .reconnectDelay(io.lettuce.core.resource.Delay.exponential(Duration.ofMillis(1), reconnectMaxDelay, 2,
                        TimeUnit.MILLISECONDS));
        if (latencyRecorder != null) {
            builder.commandLatencyRecorder(latencyRecorder);
        }
        PacedEventLoops pacedLoops = readBatchMicros > 0 ? new PacedEventLoops(readBatchMicros) : null;
        if (pacedLoops != null) {
            builder.eventLoopGroupProvider(pacedLoops); // given, so shut down by close(), not by Lettuce
        }
        ReadBoundaries readBoundaries = new ReadBoundaries();
        builder.nettyCustomizer(readBoundaries);
        ClientResources resources = builder.build();
        try {
            RedisResources created = new RedisResources(target, topologyRefresh, commandTimeout, connectTimeout, resources,
                    pacedLoops, readBoundaries, subscribedTopics);
            log.info("Redis: {} ({} pub/sub)", created.connector.target(), created.publishMode() == PublishMode.SHARDED
                    ? "sharded" : "classic");
            return created;
        } catch (RuntimeException e) {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            if (pacedLoops != null) {
                pacedLoops.shutdown(0, 2, TimeUnit.SECONDS);
            }
            throw e;
        }
    }

    /**
     * A connection to a data node at an address other than the last one is a failover (Sentinel
     * promoted a replica). Connections to the sentinels themselves are not counted; a reconnect of
     * the pub/sub connection counts its topics as re-subscribed (Lettuce re-issues them).
     */
    private RedisConnectionStateListener sentinelWatcher(RedisURI uri) {
        Set<Integer> sentinelPorts = uri.getSentinels().stream().map(RedisURI::getPort).collect(Collectors.toSet());
        return new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (address instanceof InetSocketAddress inet && sentinelPorts.contains(inet.getPort())
                        && uri.getSentinels().stream().anyMatch(s -> sameHost(s.getHost(), inet))) {
                    return;
                }
                if (pubSub instanceof ClassicTopicLink link && link.connection() == connection) {
                    link.reconnected(subscribedTopics.getAsInt());
                }
                SocketAddress previous = master;
                master = address;
                if (previous != null && !previous.equals(address)) {
                    failedOver();
                }
            }
        };
    }

    private static boolean sameHost(String host, InetSocketAddress address) {
        return host.equals(address.getHostString()) || address.getAddress() != null
                && (host.equals(address.getAddress().getHostAddress()) || "localhost".equals(host)
                && address.getAddress().isLoopbackAddress());
    }

    private void failedOver() {
        failovers.incrementAndGet();
        log.warn("Redis failover: now on {}; re-registering this node's connections", master == null ? "a new master" : master);
        failoverHandler.run();
    }

    /**
     * Where pub/sub messages go (the dispatcher), which is also told where each read begins and
     * ends (it writes a read's personal messages together at its end); set before the first subscription.
     */
    public void deliverTo(PubSubDispatcher dispatcher) {
        readBoundaries.listener(dispatcher);
        forwarder.delegate = dispatcher;
    }

    /** Hands classic and sharded messages to the listener set by {@link #deliverTo}. */
    private static final class DeliveryForwarder extends io.lettuce.core.pubsub.RedisPubSubAdapter<String, String> {
        private volatile RedisPubSubListener<String, String> delegate;

        @Override
        public void message(String channel, String message) {
            RedisPubSubListener<String, String> target = delegate;
            if (target != null) {
                target.message(channel, message);
            }
        }

        @Override
        public void smessage(String channel, String message) {
            RedisPubSubListener<String, String> target = delegate;
            if (target != null) {
                target.smessage(channel, message);
            }
        }
    }

    /** Runs {@code handler} after each failover (Sentinel or Cluster): re-register what the new master lacks. */
    public void onFailover(Runnable handler) {
        this.failoverHandler = handler;
    }

    /** Mode-agnostic async commands; on a cluster each is routed to its slot's master. */
    public RedisClusterAsyncCommands<String, String> async() {
        return connector.async();
    }

    public PublishMode publishMode() {
        return connector.publishMode();
    }

    public RedisTarget.Mode mode() {
        return connector.mode();
    }

    public TopicLink pubSub() {
        return pubSub;
    }

    /** The Lettuce client ({@code RedisClient} or {@code RedisClusterClient}), e.g. to watch its connections. */
    public io.lettuce.core.AbstractRedisClient client() {
        return connector.client();
    }

    /** Whether {@code connection} is the current classic pub/sub connection (never on a cluster). */
    public boolean isClassicPubSub(RedisChannelHandler<?, ?> connection) {
        return pubSub instanceof ClassicTopicLink classic && classic.connection() == connection;
    }

    /** Failovers followed since start (Sentinel promotions, new cluster masters). */
    public long failovers() {
        return failovers.get();
    }

    public boolean isConnected() {
        return connector.isOpen() && pubSub.isConnected();
    }

    @Override
    public void close() {
        try {
            pubSub.close();
            connector.close();
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            if (pacedLoops != null) {
                pacedLoops.shutdown(0, 2, TimeUnit.SECONDS);
            }
        }
    }

    /** Pauses Lettuce's event loops took to gather reads (0 when REDIS_READ_BATCH_MICROS is 0). */
    public long readPauses() {
        return pacedLoops == null ? 0 : pacedLoops.pauses();
    }
}
