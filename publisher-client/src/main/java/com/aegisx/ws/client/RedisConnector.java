package com.aegisx.ws.client;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.Objects;

/**
 * One command connection to Redis in whichever mode the URL names (see {@link RedisTarget}), behind
 * Lettuce's {@link RedisClusterAsyncCommands}, the common supertype of the standalone and the
 * cluster command interfaces: the code above it is mode-agnostic, and on a cluster Lettuce routes
 * each command to the master of its key's slot (every key the tier writes carries a hash tag, so
 * every Lua script touches one slot).
 *
 * <p>In cluster mode the topology is refreshed periodically and on every MOVED/ASK redirection,
 * reconnect attempt and unknown node, so commands follow failovers and slot migrations.
 */
public final class RedisConnector implements AutoCloseable {

    /** How often a cluster client re-reads CLUSTER SLOTS even when nothing hints at a change. */
    public static final Duration DEFAULT_TOPOLOGY_REFRESH = Duration.ofSeconds(10);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Immutable connection settings; build with {@link #builder()}. */
    /**
     * @param resources shared client resources, or null for the client's own
     * @param listener  told of every connect and disconnect of the client's connections, from the
     *                  first one on (e.g. to see a Sentinel failover land on another address); may be null
     */
    public record Settings(Duration commandTimeout, Duration connectTimeout, Duration topologyRefresh,
                           ClientResources resources, RedisConnectionStateListener listener) {
        public Settings {
            Objects.requireNonNull(commandTimeout, "commandTimeout");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(topologyRefresh, "topologyRefresh");
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_COMMAND_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOPOLOGY_REFRESH, null, null);
        }

        /**
         * The defaults, with Lettuce's command timeout set to a publisher's own bound
         * ({@link PublisherOptions#timeout()}): a command still waiting when the caller is told it
         * failed must be dropped by Lettuce then too, not sent once Redis is back (delivered after
         * a failure was reported, and twice if the caller retried).
         */
        public static Settings forPublisher(PublisherOptions options) {
            return new Settings(options.timeout(), DEFAULT_CONNECT_TIMEOUT, DEFAULT_TOPOLOGY_REFRESH, null, null);
        }
    }

    private final RedisTarget target;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    /** Sentinel mode: keeps the client's connections on the master the sentinels name; else null. */
    private final SentinelMasterWatch watch;
    private final RedisClusterAsyncCommands<String, String> async;

    private RedisConnector(RedisTarget target, AbstractRedisClient client, StatefulConnection<String, String> connection,
                           RedisClusterAsyncCommands<String, String> async, SentinelMasterWatch watch) {
        this.target = target;
        this.client = client;
        this.connection = connection;
        this.async = async;
        this.watch = watch;
    }

    public static RedisConnector connect(String url) {
        return connect(RedisTarget.parse(url), Settings.defaults());
    }

    /**
     * Connects. A standalone URL whose server has cluster mode enabled ({@code cluster_enabled:1}
     * in INFO) is taken as a cluster seed. Every connection this opens, now or later (reconnects,
     * topology refreshes, sentinels), waits for Redis at most the command timeout
     * ({@link RedisTarget#withTimeout}).
     */
    public static RedisConnector connect(RedisTarget requested, Settings settings) {
        RedisTarget target = requested.withTimeout(settings.commandTimeout());
        if (target.mode() == RedisTarget.Mode.CLUSTER) {
            return cluster(target, settings);
        }
        RedisClient client = settings.resources() == null ? RedisClient.create() : RedisClient.create(settings.resources());
        client.setOptions(clientOptions(settings, target.tls()));
        if (settings.listener() != null) {
            client.addListener(settings.listener());
        }
        SentinelMasterWatch watch = null;
        if (target.mode() == RedisTarget.Mode.SENTINEL) {
            watch = new SentinelMasterWatch(client, target.uri(), settings.commandTimeout());
            client.addListener(watch); // before the first connection, so it is known to the watch
        }
        try {
            SentinelProbe probe = target.mode() != RedisTarget.Mode.SENTINEL ? null : new SentinelProbe(
                    sentinel -> client.connectSentinelAsync(StringCodec.UTF8, sentinel), settings.connectTimeout());
            StatefulRedisConnection<String, String> connection =
                    connectOrExplain(target, () -> client.connect(target.uri()), probe);
            if (target.mode() == RedisTarget.Mode.STANDALONE && clusterEnabled(connection)) {
                connection.close();
                client.shutdown();
                return cluster(target.asCluster(), settings);
            }
            if (watch != null) {
                watch.start();
            }
            return new RedisConnector(target, client, connection, connection.async(), watch);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /**
     * Whether the server runs in cluster mode. An ACL user that may not run INFO is taken as
     * standalone: such deployments declare {@code redis-cluster://} when they use a cluster.
     */
    private static boolean clusterEnabled(StatefulRedisConnection<String, String> connection) {
        try {
            return connection.sync().info("cluster").contains("cluster_enabled:1");
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            return false;
        }
    }

    private static RedisConnector cluster(RedisTarget target, Settings settings) {
        RedisClusterClient client = settings.resources() == null ? RedisClusterClient.create(target.uris())
                : RedisClusterClient.create(settings.resources(), target.uris());
        client.setOptions(clusterOptions(settings, target.tls()));
        if (settings.listener() != null) {
            client.addListener(settings.listener());
        }
        try {
            // Lettuce keeps every seed's failure (suppressed, and listed in the message): no probe needed.
            StatefulRedisClusterConnection<String, String> connection = connectOrExplain(target, client::connect, null);
            return new RedisConnector(target, client, connection, connection.async(), null);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    /**
     * A refused password or a failed TLS handshake becomes a {@link RedisRefusedException} saying so.
     * With Sentinel, Lettuce's exception shows the last sentinel's failure only: unless that already
     * is a refusal of the credentials, {@code probe} (null for other modes) asks every sentinel.
     */
    static <C> C connectOrExplain(RedisTarget target, java.util.function.Supplier<C> connect, SentinelProbe probe) {
        try {
            return connect.get();
        } catch (RuntimeException e) {
            RedisRefusedException refused = RedisRefusedException.explain(target, e);
            if (probe != null && (refused == null || refused.reason() == RedisRefusedException.Reason.TLS)) {
                RedisRefusedException probed = probe.refusal(target);
                if (probed != null && (refused == null
                        || probed.reason() == RedisRefusedException.Reason.SENTINEL_CREDENTIALS)) {
                    probed.addSuppressed(e);
                    refused = probed;
                }
            }
            throw refused == null ? e : refused;
        }
    }

    /** Reconnect by itself, keep commands issued while disconnected (bounded by the timeout). */
    public static ClientOptions clientOptions(Settings settings, RedisTls tls) {
        return ClientOptions.builder()
                .sslOptions(tls.sslOptions())
                .autoReconnect(true)
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(socketOptions(settings))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .build();
    }

    /** As {@link #clientOptions}, plus periodic and adaptive topology refresh. */
    public static ClusterClientOptions clusterOptions(Settings settings, RedisTls tls) {
        return ClusterClientOptions.builder()
                .sslOptions(tls.sslOptions())
                .autoReconnect(true)
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(socketOptions(settings))
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(settings.topologyRefresh())
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .build();
    }

    private static SocketOptions socketOptions(Settings settings) {
        return SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build();
    }

    /** The target with the mode actually used (a detected cluster says so). */
    public RedisTarget target() {
        return target;
    }

    public RedisTarget.Mode mode() {
        return target.mode();
    }

    /** Mode-agnostic async commands; on a cluster each is routed to its slot's master. */
    public RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    /** How messages are published in this mode (SPUBLISH on a cluster, PUBLISH otherwise). */
    public PublishMode publishMode() {
        return PublishMode.of(target.mode());
    }

    public StatefulConnection<String, String> connection() {
        return connection;
    }

    /** {@link RedisClient} (standalone, Sentinel) or {@link RedisClusterClient}. */
    public AbstractRedisClient client() {
        return client;
    }

    /** The URI of a standalone or Sentinel target (null for a cluster, which has seeds). */
    public RedisURI uri() {
        return target.mode() == RedisTarget.Mode.CLUSTER ? null : target.uri();
    }

    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.close();
        }
        try {
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
