package com.aegisx.ws.server;

import com.aegisx.ws.client.AsyncWsPublisher;
import com.aegisx.ws.client.NodeTraits;
import com.aegisx.ws.client.events.EventOptions;
import com.aegisx.ws.client.PublishMode;
import com.aegisx.ws.client.RedisRefusedException;
import com.aegisx.ws.server.config.env.ConfigException;
import com.aegisx.ws.protocol.CloseCodes;
import com.aegisx.ws.protocol.Json;
import com.aegisx.ws.server.admin.AdminServlet;
import com.aegisx.ws.server.api.PublishServlet;
import com.aegisx.ws.server.admin.NodeStats;
import com.aegisx.ws.server.auth.JwtAuthenticator;
import com.aegisx.ws.server.config.ServerConfig;
import com.aegisx.ws.client.history.History;
import com.aegisx.ws.server.history.HistoryGapFiller;
import com.aegisx.ws.server.history.HistoryRecovery;
import com.aegisx.ws.server.history.ResumeService;
import com.aegisx.ws.server.core.ChannelPresence;
import com.aegisx.ws.server.core.ClientProtocol;
import com.aegisx.ws.server.core.Conflation;
import com.aegisx.ws.server.core.ConnectionGuard;
import com.aegisx.ws.server.core.ConnectionHub;
import com.aegisx.ws.server.core.FanOut;
import com.aegisx.ws.server.core.IndexRepair;
import com.aegisx.ws.server.core.LocalConnection;
import com.aegisx.ws.server.core.NodeCommands;
import com.aegisx.ws.server.core.ReplayBudget;
import com.aegisx.ws.server.core.PingRounds;
import com.aegisx.ws.server.core.Route;
import com.aegisx.ws.server.core.SubscriptionPolicy;
import com.aegisx.ws.server.core.TopicSubscriptions;
import com.aegisx.ws.server.http.AdminAuthenticator;
import com.aegisx.ws.server.http.DebugServlet;
import com.aegisx.ws.server.http.ManagementEndpoints;
import com.aegisx.ws.server.http.ManagementHosts;
import com.aegisx.ws.server.http.MaskedRequestLog;
import com.aegisx.ws.server.http.ProbeServlet;
import com.aegisx.ws.server.jetty.NodeContext;
import com.aegisx.ws.server.jetty.UpgradeGate;
import com.aegisx.ws.server.jetty.UpgradeTickets;
import com.aegisx.ws.server.jetty.WebSocketRoutes;
import com.aegisx.ws.server.metrics.LocalFanoutServlet;
import com.aegisx.ws.server.metrics.MetricsServlet;
import com.aegisx.ws.server.metrics.NodeMetrics;
import com.aegisx.ws.server.metrics.SocketCounters;
import com.aegisx.ws.server.node.NodeServices;
import com.aegisx.ws.server.redis.ConnectionLimiter;
import com.aegisx.ws.server.redis.NodeRegistry;
import com.aegisx.ws.server.redis.PubSubDispatcher;
import com.aegisx.ws.server.redis.RedisPresenceIndex;
import com.aegisx.ws.server.redis.PubSubProbe;
import com.aegisx.ws.server.redis.RedisBroker;
import com.aegisx.ws.server.redis.RedisConnectionIndex;
import com.aegisx.ws.server.redis.RedisResources;
import com.aegisx.ws.server.web.AuthCheckServlet;
import com.aegisx.ws.server.web.StaticResources;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ProxyConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node: Jetty with the WebSocket routes, its Redis connections, and the timers that keep it
 * alive in the cluster. Start with {@link #start}; {@link #close()} drains it gracefully.
 */
public final class WsNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WsNode.class);
    public static final String VERSION = "0.1.0";
    /** How often a drain looks whether sockets that opened late have finished closing. */
    private static final long LATE_SOCKET_POLL_MILLIS = 20;
    /** Lets Lettuce re-issue the subscriptions before the history topics are checked after a reconnect. */
    private static final long RECONNECT_CHECK_DELAY_MILLIS = 100;
    /** Longest wait between two attempts to register the connections again after a failed one. */
    private static final java.time.Duration MAX_REREGISTER_RETRY = java.time.Duration.ofSeconds(30);

    /** How often a node writes the user_offline events that came due (their grace period is PRESENCE_GRACE). */
    private static final java.time.Duration OFFLINE_SWEEP_INTERVAL = java.time.Duration.ofSeconds(1);

    private final ServerConfig config;
    private final RedisResources redis;
    private final PubSubDispatcher dispatcher;
    private final RedisBroker broker;
    private final FanOut fanOut;
    /**
     * Where every Redis future of the node completes (the adapters hop here off Lettuce's event
     * loop): one thread, so completions keep the order Redis answered in, as they did on the loop.
     */
    private final ExecutorService callbacks;
    private final NodeMetrics metrics;
    private final ConnectionHub hub;
    private final NodeRegistry nodeRegistry;
    private final ScheduledExecutorService scheduler;
    private final UpgradeTickets tickets = new UpgradeTickets();
    private final SocketCounters counters = new SocketCounters();
    private final Server server;
    private final ServerConnector connector;
    private final ManagementEndpoints management;
    private final NodeStats nodeStats;
    private final ResumeService resume;
    private final ReplayBudget replays;
    private final HistoryGapFiller gapFiller;
    private final PubSubProbe probe;
    private final Conflation conflation;
    private final UpgradeGate gate;
    private final ConnectionGuard guard;
    private volatile boolean draining;
    /** Between a Redis failover and the end of the re-registration it triggers (/ready 503). */
    private volatile boolean resyncing;
    private volatile boolean stopped;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final IndexRepair repair;
    private final PingRounds pings;
    /** Heartbeat rounds and activity flushes that failed (Redis unreachable). */
    private final java.util.concurrent.atomic.LongAdder heartbeatFailures = new java.util.concurrent.atomic.LongAdder();

    /** A refusal by Redis (password, sentinel password, TLS) stops startup naming the setting to fix. */
    private RedisResources connectRedis(ServerConfig config, NodeMetrics metrics) {
        try {
            return RedisResources.connect(config.redisTarget(), config.topologyRefresh(), config.redisCommandTimeout(),
                    config.redisConnectTimeout(), config.redisReconnectMaxDelay(), metrics.redisLatencyRecorder(),
                    this::subscribedTopics, config.redisReadBatchMicros());
        } catch (RedisRefusedException e) {
            callbacks.shutdownNow();
            String variable = switch (e.reason()) {
                case CREDENTIALS -> "REDIS_URL (its user:password)";
                case SENTINEL_CREDENTIALS -> "REDIS_SENTINEL_PASSWORD";
                case TLS -> "REDIS_URL / REDIS_TLS_CA_FILE / REDIS_TLS_CERT_FILE";
            };
            throw new ConfigException("Invalid configuration: " + variable + " rejected: " + e.getMessage());
        }
    }

    private WsNode(ServerConfig config, List<Function<NodeServices, Route>> extraRoutes) throws Exception {
        this.config = config;
        this.metrics = new NodeMetrics(config.nodeId());
        this.callbacks = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ws-callbacks-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        this.redis = connectRedis(config, metrics);
        var commands = redis.async();
        boolean sharded = redis.publishMode() == PublishMode.SHARDED;
        this.broker = new RedisBroker(redis.pubSub(), commands, redis.publishMode(), callbacks);
        TopicSubscriptions topics = new TopicSubscriptions(broker);
        EventOptions events = new EventOptions(config.lifecycleEvents(), config.lifecycleEventsMaxLength(),
                config.presenceGrace(), config.nodeId());
        RedisConnectionIndex index = new RedisConnectionIndex(commands, config.keys(), config.nodeId(), callbacks, events);
        this.hub = new ConnectionHub(config.nodeId(), config.keys(), index, topics, config.connectionTimeout());
        this.pings = new PingRounds(hub::connections);
        this.repair = new IndexRepair(hub, config.heartbeatInterval(), MAX_REREGISTER_RETRY,
                System::currentTimeMillis);
        NodeCommands nodeCommands = new NodeCommands(hub);
        this.fanOut = new FanOut(config.keys(), config.nodeId(), topics, nodeCommands, metrics);
        this.scheduler = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "ws-timer-" + config.nodeId());
            t.setDaemon(true);
            return t;
        });
        this.conflation = new Conflation(config.history().conflateChannels(), config.history().conflateQueueBytes(),
                scheduler);
        fanOut.conflation(conflation);
        // History topics pass the gap filler first: it drops repeated offsets and fills jumps from the stream.
        this.gapFiller = new HistoryGapFiller(fanOut,
                new History(commands, config.keys(), config.history().rules(), sharded), config.keys(),
                config.history().maxRecovery(), callbacks);
        topics.onListening(gapFiller::forget);
        // The probe of the pub/sub connection is heard first, before the gap filler and the fan-out.
        this.probe = new PubSubProbe(gapFiller, redis, broker, config.keys().probe(config.nodeId()),
                config.history().probeTimeout(), callbacks, gapFiller::checkAll);
        this.dispatcher = new PubSubDispatcher(config.dispatchThreads(), config.dispatchBatchMicros(),
                config.dispatchQueueCapacity(), probe, config.keys()::isUserTopic);
        dispatcher.dispatchObserver(metrics::onDispatched);
        dispatcher.warmBeforeDelivery(topics::warm);
        // On one core the parts would only take turns: the hand-off would cost and nothing run in parallel.
        boolean parallel = Runtime.getRuntime().availableProcessors() > 1;
        fanOut.splitAcross(dispatcher, parallel ? config.dispatchSplitMinMembers() : 0);
        redis.deliverTo(dispatcher);
        redis.onFailover(() -> callbacks.execute(this::resyncAfterFailover));
        // A topic confirmed again on another master (slot moved, failover): look for history gaps.
        redis.pubSub().onResubscribed(() -> callbacks.execute(gapFiller::checkAll));
        AsyncWsPublisher publisher = new AsyncWsPublisher(commands, config.keys(), config.history().rules(),
                redis.publishMode());

        QueuedThreadPool threads = new QueuedThreadPool(config.jettyMaxThreads(), config.jettyMinThreads());
        threads.setName("ws-jetty-" + config.nodeId());
        this.server = new Server(threads);
        // With PROXY_PROTOCOL the public port reads HAProxy's PROXY header (v1 or v2) first; a
        // connection without one is served as plain HTTP. Who may send it: see ClientAddress.
        this.connector = config.proxyProtocol()
                ? new ServerConnector(server, new ProxyConnectionFactory(HttpVersion.HTTP_1_1.asString()),
                        new HttpConnectionFactory())
                : new ServerConnector(server);
        connector.setHost(config.host());
        connector.setPort(config.port());
        server.addConnector(connector);
        this.management = new ManagementEndpoints(server, config.managementHost(), config.managementPort(),
                new ManagementHosts(config.managementHosts()));

        this.nodeRegistry = new NodeRegistry(commands, config.keys(), config.nodeId(), config.heartbeatTimeout(),
                config.advertisedHost(), this::port, VERSION, new NodeTraits(config.lifecycleEvents(),
                        config.lifecycleEventsMaxLength(), config.presencePatterns()), redis.publishMode());
        nodeRegistry.resumeTtl(config.history().resumeTtl());
        ChannelPresence presence = !config.presenceEnabled() ? null : new ChannelPresence(config::hasPresence,
                broker, config.keys(), new RedisPresenceIndex(commands, config.keys(), callbacks));
        hub.events(presence);
        this.nodeStats = new NodeStats(commands, config.keys(), config.nodeId(), config.statsInterval(),
                metrics::deliveries, counters.messagesIn::sum, metrics::pubSubReceived);
        JwtAuthenticator authenticator = new JwtAuthenticator(config.auth());
        ConnectionLimiter limiter = new ConnectionLimiter(commands, config.keys(), config.nodeId(),
                config.security().maxConnectionsPerUser(), config.security().maxConnectionsPerIp(), callbacks);
        this.guard = new ConnectionGuard(config.security(), authenticator, config.auth().channelPolicy(),
                scheduler, limiter);
        SubscriptionPolicy subscriptions = new SubscriptionPolicy(hub, config.auth().channelPolicy(),
                config.security().maxSubscriptions());
        ClientProtocol protocol = new ClientProtocol(hub, subscriptions, config.security().maxChannelLength(), guard);
        HistoryRecovery recovery = new HistoryRecovery(hub, publisher.history(), config.history().maxRecovery());
        protocol.recovery(recovery);
        this.replays = new ReplayBudget(config.history().replayBurst(), config.history().replayRate());
        protocol.replays(replays);
        nodeCommands.recovery(recovery);
        this.resume = new ResumeService(commands, config.keys(), hub, recovery, subscriptions,
                config.history().resumeTtl(), publisher::disconnect, scheduler);
        protocol.resume(resume);
        protocol.presence(presence);
        NodeContext context = new NodeContext(config, hub, protocol, counters, scheduler, this::isReady);
        NodeServices services = new NodeServices(config, hub, subscriptions, protocol, publisher, commands,
                callbacks, scheduler, management, conflation);

        ServletContextHandler servlets = httpEndpoints(authenticator);
        managementEndpoints(authenticator, commands, publisher);
        WebSocketRoutes.install(servlets, context, tickets, routes(services, extraRoutes));
        this.gate = new UpgradeGate(servlets, authenticator, config.auth().authRequired(), tickets,
                () -> draining, List.of(WebSocketRoutes.HEALTH_PATH), config.security(), limiter, config.nodeId());
        // Each port serves its own endpoints only: /metrics and the debug API are not on the public one.
        server.setHandler(new Handler.Sequence(ManagementEndpoints.onConnector(connector, gate), management.handler()));
        server.setRequestLog(new MaskedRequestLog());
    }

    private static List<Route> routes(NodeServices services, List<Function<NodeServices, Route>> extraRoutes) {
        List<Route> routes = new ArrayList<>();
        routes.add(Route.plain("main", "/ws"));
        for (Function<NodeServices, Route> factory : extraRoutes) {
            routes.add(factory.apply(services));
        }
        return routes;
    }

    /**
     * Plain HTTP on the public port: bare probes (no node internals: whoever reaches this port is
     * untrusted), the browser client and the auth check. Everything else is on the management port.
     */
    private ServletContextHandler httpEndpoints(JwtAuthenticator authenticator) {
        ServletContextHandler servlets = new ServletContextHandler("/");
        servlets.addServlet(new ServletHolder(new ProbeServlet(() -> !stopped, Json::object)), "/health");
        servlets.addServlet(new ServletHolder(new ProbeServlet(this::isReady, Json::object)), "/ready");
        web(servlets, authenticator);
        return servlets;
    }

    /** The management port: metrics, probes with details, the admin debug endpoints, the load-test hook. */
    private void managementEndpoints(JwtAuthenticator authenticator, RedisClusterAsyncCommands<String, String> commands,
                                     AsyncWsPublisher publisher) {
        management.add("/health", new ProbeServlet(() -> !stopped, this::describe));
        management.add("/ready", new ProbeServlet(this::isReady, this::describe));
        metrics.bind(metricSources(), counters);
        metrics.bindRedisFailover(redis::failovers, () -> redis.pubSub().resubscriptions(),
                () -> redis.pubSub().droppedFromReplaced());
        metrics.bindRedisReads(redis::readPauses);
        metrics.bindDelivery(gapFiller::filled, gapFiller::duplicatesDropped, gapFiller::unrecoverable,
                probe::replacements, probe::isStale);
        management.add("/metrics", new MetricsServlet(metrics));
        if (config.loadTestHooks()) {
            log.warn("LOADTEST_HOOKS is on: POST /loadtest/fanout lets anyone who reaches the management port broadcast");
            management.add("/loadtest/fanout", new LocalFanoutServlet(config.keys(), dispatcher::message));
        }
        AdminAuthenticator admins = new AdminAuthenticator(authenticator, config.security().adminApiKey());
        management.add(DebugServlet.PATH, new DebugServlet(admins, commands, config.keys()));
        // The admin console: its page and its API, beside the debug endpoints it reads.
        management.add("/admin/*", StaticResources.admin());
        management.add(AdminServlet.PATH, new AdminServlet(admins, commands, config.keys(), publisher,
                config.heartbeatTimeout(), config.statsInterval()));
        management.add(PublishServlet.PATH, new PublishServlet(config.publishApiKey(), publisher,
                config.publishApiRate()));
    }

    /** The browser client, the demo page, and where the client asks why its token was refused. */
    private void web(ServletContextHandler servlets, JwtAuthenticator authenticator) {
        ServletHolder assets = new ServletHolder(StaticResources.client());
        servlets.addServlet(assets, "/client/*");
        servlets.addServlet(assets, "/demo/*");
        servlets.addServlet(new ServletHolder(new AuthCheckServlet(authenticator, config.auth().authRequired())),
                AuthCheckServlet.PATH);
    }

    /** The outbound queues of all local sockets, folded (sum, max). */
    private long queued(java.util.function.LongBinaryOperator fold) {
        long result = 0;
        for (LocalConnection connection : hub.connections()) {
            result = fold.applyAsLong(result, connection.outbound().queuedBytes());
        }
        return result;
    }

    /** What the gauges read, as plain functions (metrics/ knows neither the core nor the adapters). */
    private NodeMetrics.Sources metricSources() {
        return new NodeMetrics.Sources() {
            @Override public int connections() { return hub.size(); }
            @Override public long subscriptions() {
                long total = 0;
                for (LocalConnection connection : hub.connections()) {
                    total += connection.channels().size();
                }
                return total;
            }
            @Override public long channels() {
                long count = 0;
                for (String topic : hub.topics().topics()) {
                    if (config.keys().channelOfTopic(topic) != null) {
                        count++;
                    }
                }
                return count;
            }
            @Override public int topics() { return hub.topics().topicCount(); }
            @Override public long queuedBytes() { return queued(Long::sum); }
            @Override public long maxQueuedBytes() { return queued(Math::max); }
            @Override public long malformedPayloads() { return fanOut.malformedPayloads(); }
            @Override public long dispatchPending() { return dispatcher.pending(); }
            @Override public long dispatchAllocatedBytes() { return dispatcher.allocatedBytes(); }
            @Override public long dispatchCpuNanos() { return dispatcher.cpuNanos(); }
            @Override public long dispatchDropped() { return dispatcher.dropped() + fanOut.droppedParts(); }
            @Override public long memberFailures() { return fanOut.memberFailures(); }
            @Override public long heartbeatFailures() { return heartbeatFailures.sum(); }
            @Override public long rateLimited() { return guard.rateLimited(); }
            @Override public long rateLimitCloses() { return guard.rateLimitCloses(); }
            @Override public long tokenExpiredCloses() { return guard.expiredCloses(); }
            @Override public long upgradesThrottled() { return gate.throttledUpgrades(); }
            @Override public long historyReplaysRefused() { return replays.refused(); }
            @Override public boolean redisConnected() { return redis.isConnected(); }
            @Override public boolean ready() { return isReady(); }
        };
    }

    public static WsNode start(ServerConfig config) throws Exception {
        return start(config, List.of());
    }

    /** Starts a node with additional routes (e.g. the report routes). */
    public static WsNode start(ServerConfig config, List<Function<NodeServices, Route>> extraRoutes) throws Exception {
        WsNode node = new WsNode(config, extraRoutes);
        try {
            node.startUp();
        } catch (Exception e) {
            node.abandon();
            throw e;
        }
        return node;
    }

    /**
     * After the pub/sub connection came back (Lettuce re-issues its subscriptions), history topics
     * are checked for what was published meanwhile; the PING is answered after the re-subscriptions.
     */
    private void watchPubSubReconnects() {
        redis.client().addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, java.net.SocketAddress address) {
                if (redis.isClassicPubSub(connection) && !stopped) {
                    scheduler.schedule(() -> redis.pubSub().ping().thenRunAsync(gapFiller::checkAll, callbacks),
                            RECONNECT_CHECK_DELAY_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private int subscribedTopics() {
        RedisBroker b = broker;
        return b == null ? 0 : b.topicCount();
    }

    /**
     * After a failover the promoted replica may lack this node's last writes (replication is
     * asynchronous): register every local connection again, and look for history gaps. Until the
     * re-registration is done, /ready says 503; a failed one is retried by the index repair.
     */
    private void resyncAfterFailover() {
        resyncing = true;
        gapFiller.checkAll();
        hub.reregisterAll().whenComplete((ok, error) -> {
            resyncing = false;
            if (error != null) {
                log.warn("Re-registering after a Redis failover failed ({}); retried", error.toString());
                repair.request("Redis failover");
            } else {
                log.info("Re-registered {} connections after a Redis failover", hub.size());
            }
        });
    }

    private void startUp() throws Exception {
        watchPubSubReconnects();
        // Inbox first: a node must hear commands for its sockets before it accepts any.
        broker.subscribe(config.keys().inbox(config.nodeId())).get(config.redisCommandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        resume.syncSecret().get(config.redisCommandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        broker.subscribe(probe.topic()).get(config.redisCommandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        probe.start(scheduler, config.history().probeInterval());
        server.start();
        nodeRegistry.heartbeat().get(config.redisCommandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        long heartbeat = config.heartbeatInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::heartbeat, heartbeat, heartbeat, TimeUnit.MILLISECONDS);
        long ping = config.pingInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::keepAlive, ping, ping, TimeUnit.MILLISECONDS);
        long slice = Math.max(1, ping / PingRounds.SLICES);
        scheduler.scheduleAtFixedRate(pings::pingNextSlice, slice, slice, TimeUnit.MILLISECONDS);
        if (config.lifecycleEvents()) {
            // Pending user_offline events live in Redis; every node writes the due ones (each once).
            long offlines = OFFLINE_SWEEP_INTERVAL.toMillis();
            scheduler.scheduleWithFixedDelay(this::writeDueOfflines, offlines, offlines, TimeUnit.MILLISECONDS);
        }
        long cleanup = config.cleanupInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::cleanup, cleanup, cleanup, TimeUnit.MILLISECONDS);
        long stats = config.statsInterval().toMillis();
        scheduler.scheduleWithFixedDelay(() -> nodeStats.sample(), stats, stats, TimeUnit.MILLISECONDS);
        long expiryTimers = ConnectionGuard.TIMER_HORIZON.toMillis() / 2;
        scheduler.scheduleWithFixedDelay(this::armExpiryTimers, expiryTimers, expiryTimers, TimeUnit.MILLISECONDS);
        log.info("Node {} listening on {}:{}, management on {}:{} (Redis key prefix '{}', {})", config.nodeId(),
                config.host(), port(), config.managementHost(), managementPort(), config.keys().prefix(), config.auth().describe() + "; " + config.security().describe());
    }

    /**
     * Pushes this node's deadline forward; when the node was missing from Redis (swept while its
     * link was silent, or Redis lost its data) every socket is registered again, retried with
     * backoff until a pass succeeds ({@link IndexRepair}); then sweeps dead nodes.
     */
    private void heartbeat() {
        nodeRegistry.heartbeat()
                .thenComposeAsync(wasMissing -> {
                    if (wasMissing) {
                        // Redis may have lost the resume secret with the rest: take (or set) it again.
                        resume.syncSecret();
                    }
                    if (wasMissing && hub.size() > 0) {
                        repair.request("missing from Redis (swept while unreachable, or Redis lost its data)");
                    }
                    return repair.runIfDue();
                }, callbacks)
                .thenCompose(ignored -> nodeRegistry.sweepDeadNodes())
                .whenComplete((ignored, error) -> {
                    if (error != null) {
                        // NodeRegistry logs the loss and the return of Redis once; each miss is counted.
                        heartbeatFailures.increment();
                        log.debug("Heartbeat round failed: {}", error.toString());
                    }
                });
    }

    private void keepAlive() {
        gapFiller.retain(hub.topics()::isSubscribed);
        fanOut.retain(hub.topics()::isSubscribed);
        hub.flushActivity().whenComplete((ignored, error) -> {
            if (error != null) {
                heartbeatFailures.increment(); // Redis unreachable: the next flush sends the newer value
                log.debug("Activity flush failed: {}", error.toString());
            }
        });
        tickets.prune();
        gate.pruneThrottle();
    }

    private void writeDueOfflines() {
        nodeRegistry.writeDueOfflines().whenComplete((written, error) -> {
            if (error != null) {
                log.debug("Writing due user_offline events failed: {}", error.toString());
            }
        });
    }

    private void cleanup() {
        hub.closeInactive(null);
    }

    private void armExpiryTimers() {
        try {
            guard.armDueTimers(hub.connections());
        } catch (RuntimeException e) {
            // A failure must not cancel the periodic task: the next run retries.
            log.warn("Could not arm token-expiry timers: {}", e.toString());
        }
    }

    public boolean isReady() {
        return !draining && !stopped && !resyncing && redis.isConnected() && nodeRegistry.isRegistered()
                && !probe.isStale();
    }

    private ObjectNode describe() {
        ObjectNode out = Json.object();
        out.put("nodeId", config.nodeId());
        out.put("version", VERSION);
        out.put("connections", hub.size());
        return out;
    }

    /** The management port (metrics, debug endpoints), on MANAGEMENT_HOST. */
    public int managementPort() {
        return management.port();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public String nodeId() {
        return config.nodeId();
    }

    public ServerConfig config() {
        return config;
    }

    public ConnectionHub hub() {
        return hub;
    }

    public FanOut fanOut() {
        return fanOut;
    }

    public NodeMetrics metrics() {
        return metrics;
    }

    /** Upgrade tickets held for exchanges still in flight (0 when idle: none outlives its request). */
    public int pendingUpgrades() {
        return tickets.size();
    }

    public SocketCounters counters() {
        return counters;
    }

    /**
     * Graceful shutdown: refuse new upgrades, close every socket with 1012 (service restart) so
     * clients reconnect through the load balancer, remove this node from Redis, then stop.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return; // closed already, or closing on another thread
        }
        draining = true;
        log.info("Node {} shutting down: closing {} connections with {}", config.nodeId(), hub.size(),
                CloseCodes.SERVICE_RESTART);
        scheduler.shutdownNow();
        List<CompletableFuture<?>> removals = new ArrayList<>();
        for (LocalConnection connection : hub.startDrain()) {
            connection.close(CloseCodes.SERVICE_RESTART, "service restart");
            // Its channels into its resume token first: removing it from the indexes forgets them.
            removals.add(resume.closed(connection).thenCompose(ignored ->
                    hub.closed(connection, CloseCodes.SERVICE_RESTART, "service restart")));
        }
        // Sockets that closed on their own just before: their removals too, before Redis is closed.
        removals.addAll(hub.removalsUnderWay());
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        try {
            CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
                    .thenCompose(ignored -> nodeRegistry.deregister())
                    .get(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Could not remove node {} from Redis cleanly: {}", config.nodeId(), e.toString());
        }
        awaitLateSockets(deadline);
        stopJetty();
        dispatcher.close();
        redis.close();
        callbacks.shutdown();
        metrics.close();
        stopped = true;
        log.info("Node {} stopped", config.nodeId());
    }

    /**
     * Sockets upgraded while the drain began close themselves with 1012 (they never get
     * {@code welcome}), and upgrades still in the gate's limit check get 503; waits, within the
     * shutdown grace, until those close handshakes and responses are done, so stopping Jetty does
     * not cut them off (1006, or no response at all).
     */
    private void awaitLateSockets(long deadlineNanos) {
        while ((hub.size() > 0 || gate.deciding() > 0) && System.nanoTime() < deadlineNanos) {
            for (LocalConnection late : List.copyOf(hub.connections())) {
                if (late.isOpen()) {
                    late.close(CloseCodes.SERVICE_RESTART, "service restart");
                }
            }
            try {
                Thread.sleep(LATE_SOCKET_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** A start that failed: releases what was built; the node never accepted a socket. */
    private void abandon() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        stopped = true;
        draining = true;
        scheduler.shutdownNow();
        redis.close();
        stopJetty();
        dispatcher.close();
        callbacks.shutdown();
        metrics.close();
    }

    private void stopJetty() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("Jetty did not stop cleanly: {}", e.toString());
        }
    }
}
